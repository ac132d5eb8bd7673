export type { AgentInput } from "./agent/agent.context.js";
export type { AgentCommand, AgentEvent } from "./agent/agent.events.js";
export { AGENT_CHILDREN, type AgentMachine, agentMachine } from "./agent/agent.machine.js";
export {
  AGENT_MACHINE_VERSION,
  AGENT_SNAPSHOT_UPGRADES,
  type AgentSettings,
  type AlertToDeliver,
  type LoadedIdentity,
  type PublicIdentity,
} from "./agent/agent.types.js";
export { type BackupMachine, backupMachine } from "./backup/backup.machine.js";
export type {
  BackupEvent,
  BackupInput,
  BackupReason,
  BackupRecord,
  BackupSettings,
  RunBackupInput,
  RunBackupOutput,
} from "./backup/backup.types.js";
export type { HealthInput } from "./health/health.context.js";
export type { HealthEvent, HealthNotice } from "./health/health.events.js";
export { type HealthMachine, healthMachine } from "./health/health.machine.js";
export {
  type HealthReport,
  type HealthSettings,
  type HealthTarget,
  healthTargetOf,
} from "./health/health.types.js";
export type { KeyRotationInput } from "./keys/keys.context.js";
export type { KeyRotationEvent, KeyRotationNotice } from "./keys/keys.events.js";
export { type KeyRotationMachine, keyRotationMachine } from "./keys/keys.machine.js";
export { type KeyName, type KeyRotationSettings, keyNames } from "./keys/keys.types.js";
export type { LeaseInput, LeaseSettings } from "./lease/lease.context.js";
export type { LeaseEvent, LeaseNotice } from "./lease/lease.events.js";
export { type LeaseMachine, leaseMachine } from "./lease/lease.machine.js";
export type { BidSummary, DeploymentRef, LeaseId, LeaseRef, LeaseResources } from "./lease/lease.types.js";
export type { ReproductionInput, ReproductionSettings } from "./reproduction/reproduction.context.js";
export type { ReproductionEvent, ReproductionNotice } from "./reproduction/reproduction.events.js";
export { type ReproductionMachine, reproductionMachine } from "./reproduction/reproduction.machine.js";
export type { ChildPlan, ChildRecord } from "./reproduction/reproduction.types.js";
export {
  type AlertNotice,
  EffectError,
  type EffectFailure,
  type FailureKind,
  type FundsAnswer,
  type FundsRequest,
} from "./shared/index.js";
export type { SiblingWatchInput, SiblingWatchSettings } from "./sibling-watch/sibling-watch.context.js";
export type { SiblingWatchEvent } from "./sibling-watch/sibling-watch.events.js";
export { type SiblingWatchMachine, siblingWatchMachine } from "./sibling-watch/sibling-watch.machine.js";
export type { TreasuryInput } from "./treasury/treasury.context.js";
export type { TreasuryEvent, TreasuryNotice } from "./treasury/treasury.events.js";
export { type TreasuryMachine, treasuryMachine } from "./treasury/treasury.machine.js";
export {
  type TreasuryView,
  treasuryAllowsReproduction,
  treasuryView,
  treasuryWantsCheapestSdl,
} from "./treasury/treasury.selectors.js";
export type { Balances, TreasurySettings } from "./treasury/treasury.types.js";
