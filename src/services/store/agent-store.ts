import type { Database } from "better-sqlite3";
import { AlertRepository } from "./alert-repository.js";
import { ChildRepository } from "./child-repository.js";
import { CronosTxRepository } from "./cronos-tx-repository.js";
import { closeDatabase, type DatabaseOptions, openDatabase } from "./database.js";
import { IntentRepository } from "./intent-repository.js";
import { JournalRepository } from "./journal-repository.js";
import { LeadershipRepository } from "./leadership-repository.js";
import type { MigrationResult } from "./migrations.js";
import { ProviderPerformanceRepository } from "./provider-performance-repository.js";
import { passThroughRedactor, type RepositoryDeps, type StoreRedactor } from "./repository-deps.js";
import { SnapshotRepository } from "./snapshot-repository.js";
import { SpendingRepository } from "./spending-repository.js";

export interface AgentStoreOptions extends DatabaseOptions {
  /** Snapshots kept per machine; older ones are pruned in the same transaction as each write. Default 5. */
  readonly snapshotsToKeep?: number;
  /** Scrubs secrets from journal payloads, alert texts and metadata, intent payloads and errors, lease issues. */
  readonly redactor?: StoreRedactor;
  /** Current time in UTC ms. Default `Date.now`. */
  readonly clock?: () => number;
}

/** The agent's database and its tables. All calls are synchronous. */
export interface AgentStore {
  readonly path: string;
  readonly db: Database;
  readonly migration: MigrationResult;
  readonly snapshots: SnapshotRepository;
  readonly journal: JournalRepository;
  readonly alerts: AlertRepository;
  readonly children: ChildRepository;
  readonly providerPerformance: ProviderPerformanceRepository;
  readonly spending: SpendingRepository;
  readonly intents: IntentRepository;
  /** Signed Cronos transactions of the treasury's CRO→AKT legs. */
  readonly cronosTxs: CronosTxRepository;
  /** Which generation this store belongs to and whether its agent acts (DESIGN §12). */
  readonly leadership: LeadershipRepository;
  /** Runs `work` in one transaction (nested calls become savepoints); rolls back if it throws. */
  transaction<T>(work: () => T): T;
  /** Closes the connection; repeat calls do nothing. */
  close(): void;
}

export function openAgentStore(options: AgentStoreOptions): AgentStore {
  const { db, path, migration } = openDatabase(options);
  const deps: RepositoryDeps = {
    clock: options.clock ?? Date.now,
    redactor: options.redactor ?? passThroughRedactor,
  };
  try {
    return {
      path,
      db,
      migration,
      snapshots: new SnapshotRepository(db, deps, options.snapshotsToKeep),
      journal: new JournalRepository(db, deps),
      alerts: new AlertRepository(db, deps),
      children: new ChildRepository(db, deps),
      providerPerformance: new ProviderPerformanceRepository(db, deps),
      spending: new SpendingRepository(db, deps),
      intents: new IntentRepository(db, deps),
      cronosTxs: new CronosTxRepository(db, deps),
      leadership: new LeadershipRepository(db, deps),
      transaction: <T>(work: () => T): T => db.transaction(work)(),
      close: () => closeDatabase(db),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
