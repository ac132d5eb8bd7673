/**
 * The package entry for hosts that embed the agent: the statecharts (provide your own actors with
 * `machine.provide({ actors })`), the actor implementations over the real services, the runtime that
 * runs and persists them, the pure domain, the config schema, the keys, the store and the devnet.
 */

export type { ActorSettings, AgentServices } from "./actors/agent-services.js";
export { type MetricsSource, ScriptedMetrics } from "./actors/metrics-source.js";
export { type ProvideAgentOptions, provideAgentMachine } from "./actors/provide-agent.js";
export { type AgentConfig, configSchema, loadConfig } from "./config/index.js";
export * from "./devnet/index.js";
export * from "./domain/index.js";
export { AgentError, UsageError } from "./errors.js";
export { createLogger, createRedactor, type Logger } from "./logging/index.js";
export * from "./machines/index.js";
export {
  type AgentHost,
  type AgentHostOptions,
  createAgentHost,
  HOSTED_LEASE_MACHINE_VERSION,
  hostedLeaseMachineId,
} from "./runtime/agent-host.js";
export type { AgentRuntime } from "./runtime/agent-runtime.js";
export { fundFromOwnAccount, type LeaseFunder } from "./runtime/hosted-lease-funds.js";
export { type LaunchedAgent, type LaunchOptions, launchAgent } from "./runtime/launch-agent.js";
export { isInState, type LeaseView } from "./runtime/lease-view.js";
export {
  agentPersistedForm,
  agentWriteBarriers,
  hostedLeasePersistedForm,
  READ_ONLY_ACTORS,
} from "./runtime/persistence-policy.js";
export {
  type AkashChain,
  type AkashConnection,
  AkashEndpointError,
  ChainIdMismatchError,
  type ConnectAkashInput,
  type ConnectAkashOptions,
  connectAkash,
  type ProviderDirectory,
  type ProviderGateway,
} from "./services/akash/index.js";
export { verifyWebhookSignature } from "./services/alerts/index.js";
export {
  BackupError,
  BackupNotFoundError,
  type BackupPointer,
  BackupRefusedError,
  type BackupResult,
  type BackupTarget,
  makeBackup,
  type RestoreResult,
  readPointer,
  restoreBackup,
} from "./services/backup/index.js";
export {
  AgentKeys,
  EnvKeystore,
  FileKeystore,
  generateMnemonic,
  type KeystoreBackend,
  KeystoreError,
} from "./services/keys/index.js";
export {
  HEARTBEAT_D_TAG,
  HEARTBEAT_KIND,
  type Heartbeat,
  type HeartbeatWatch,
  parseHeartbeat,
  type ReceivedHeartbeat,
  watchHeartbeats,
} from "./services/nostr/index.js";
export * from "./services/store/index.js";
