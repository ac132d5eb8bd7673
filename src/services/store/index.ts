export { type ActorRow, assembleRows, ROOT_PATH, splitIntoRows } from "./actor-rows.js";
export { type AgentStore, type AgentStoreOptions, openAgentStore } from "./agent-store.js";
export {
  AlertRepository,
  type AlertSeverity,
  alertSeverities,
  type NewAlert,
  type StoredAlert,
} from "./alert-repository.js";
export { toAmountText } from "./amounts.js";
export {
  type ChildAddresses,
  type ChildAgent,
  type ChildBudget,
  type ChildLease,
  type ChildRegistration,
  ChildRepository,
  type ChildState,
  childStates,
  isChildState,
} from "./child-repository.js";
export {
  type CommitGroup,
  type CommitGroupMember,
  createCommitGroup,
  type GroupWrite,
} from "./commit-group.js";
export { type CronosTx, CronosTxRepository } from "./cronos-tx-repository.js";
export {
  closeDatabase,
  type DatabaseOptions,
  DEFAULT_DATABASE_FILE,
  type OpenedDatabase,
  openDatabase,
  type SynchronousMode,
} from "./database.js";
export {
  type Intent,
  IntentRepository,
  type IntentState,
  intentStates,
  type NewIntent,
} from "./intent-repository.js";
export { type JournalEntry, type JournalInput, JournalRepository } from "./journal-repository.js";
export {
  assertJsonData,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
  toJsonText,
} from "./json-data.js";
export {
  type LeaderLocation,
  type Leadership,
  LeadershipRepository,
  type LeadershipState,
  leadershipStates,
} from "./leadership-repository.js";
export {
  APPLICATION_ID,
  type Migration,
  type MigrationResult,
  migrate,
  schemaMigrations,
} from "./migrations.js";
export {
  failedOutcomes,
  type LeaseEnd,
  type LeaseKey,
  type LeaseOutcome,
  type LeaseRecord,
  leaseOutcomes,
  ProviderPerformanceRepository,
  type ProviderStats,
  successfulOutcomes,
} from "./provider-performance-repository.js";
export { passThroughRedactor, type StoreRedactor } from "./repository-deps.js";
export { assertNoSecrets, MIN_SECRET_LENGTH } from "./snapshot-guard.js";
export {
  createSnapshotPersister,
  type SnapshotPersister,
  type SnapshotPersisterOptions,
} from "./snapshot-persister.js";
export {
  DEFAULT_SNAPSHOTS_KEPT,
  type NewSnapshot,
  SnapshotRepository,
  type StoredActorRows,
  type StoredSnapshot,
} from "./snapshot-repository.js";
export {
  type RestoredSnapshot,
  restoreLatestSnapshot,
  type SnapshotUpgrade,
  type SnapshotVersionSupport,
} from "./snapshot-restore.js";
export {
  creditKinds,
  type DailySpend,
  type NewSpend,
  SpendingRepository,
  type SpendKind,
  type SpendRecord,
  spendKinds,
  startOfUtcDay,
} from "./spending-repository.js";
export {
  NotJsonDataError,
  SchemaTooNewError,
  SecretInSnapshotError,
  StoreError,
  UnknownSnapshotVersionError,
} from "./store-errors.js";
export { type BarrierDetector, barrierDetector, type WriteBarriers } from "./write-barriers.js";
