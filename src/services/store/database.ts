import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import {
  APPLICATION_ID,
  type Migration,
  type MigrationResult,
  migrate,
  schemaMigrations,
} from "./migrations.js";
import { SchemaTooNewError, StoreError } from "./store-errors.js";

/**
 * `FULL` (the default) syncs the WAL on every commit, so a committed snapshot or intent survives a power
 * loss or kernel crash, not only a killed process; with WAL, `NORMAL` also survives a killed process but
 * may lose the last commits on power loss. Measured here (ext4 on a virtio disk, 3 KB snapshot, insert +
 * prune per transaction): NORMAL ≈ 80 µs, FULL ≈ 360 µs per write. One agent writes a few snapshots per
 * second at most, so FULL costs well under 1 % of a core; choose NORMAL only for many agents per process.
 */
export type SynchronousMode = "NORMAL" | "FULL";

export interface DatabaseOptions {
  /** Folder that holds the database; created (mode 0700) when missing. */
  readonly dataDir: string;
  /** File name inside `dataDir`. Default `agent.db`. */
  readonly fileName?: string;
  readonly synchronous?: SynchronousMode;
  /** How long a write waits for another connection's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Schema migrations to apply; tests pass their own. Default: the agent's schema. */
  readonly migrations?: readonly Migration[];
  /**
   * Open an existing database without writing to it (commands that only read, beside a running
   * agent): nothing is created or migrated, and a schema older than this build's is refused.
   */
  readonly readOnly?: boolean;
}

export interface OpenedDatabase {
  readonly db: Database;
  readonly path: string;
  readonly migration: MigrationResult;
}

export const DEFAULT_DATABASE_FILE = "agent.db";

/**
 * Opens (creating when missing) the agent's SQLite database: WAL journal, the chosen synchronous
 * level, foreign keys on, a busy timeout, then every pending schema migration.
 */
export function openDatabase(options: DatabaseOptions): OpenedDatabase {
  if (options.readOnly) return openReadOnly(options);
  const dataDir = resolve(options.dataDir);
  const path = join(dataDir, options.fileName ?? DEFAULT_DATABASE_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreError(
      `cannot create the data directory ${dataDir}: choose a writable --data directory`,
      1,
      {
        cause: error,
      },
    );
  }
  let db: Database;
  try {
    db = new BetterSqlite3(path);
  } catch (error) {
    if (isNativeModuleMismatch(error)) {
      throw new StoreError(
        `better-sqlite3 was compiled for another Node version than ${process.version}: run \`npm rebuild better-sqlite3\``,
        1,
        { cause: error },
      );
    }
    throw new StoreError(`cannot open database ${path}: check the file's permissions and free space`, 1, {
      cause: error,
    });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") {
      throw new StoreError(
        `database ${path} cannot use WAL mode (got "${String(mode)}"): keep it on a local disk`,
      );
    }
    db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
    db.pragma("foreign_keys = ON");
    const migration = migrate(db, options.migrations ?? schemaMigrations);
    return { db, path, migration };
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      `cannot use database ${path} (${error instanceof Error ? error.message : String(error)}): move the file aside if it is not the agent's database`,
      1,
      { cause: error },
    );
  }
}

function openReadOnly(options: DatabaseOptions): OpenedDatabase {
  const path = join(resolve(options.dataDir), options.fileName ?? DEFAULT_DATABASE_FILE);
  let db: Database;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreError(
      `cannot open database ${path} to read: point --data at the agent's data directory`,
      1,
      {
        cause: error,
      },
    );
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    const migrations = options.migrations ?? schemaMigrations;
    const version = db.pragma("user_version", { simple: true }) as number;
    const applicationId = db.pragma("application_id", { simple: true }) as number;
    if (applicationId !== APPLICATION_ID) {
      throw new StoreError(
        `database ${path} is not an agent's database: point --data at the agent's own folder`,
      );
    }
    if (version > migrations.length) throw new SchemaTooNewError(path, version, migrations.length);
    if (version < migrations.length) {
      throw new StoreError(
        `database ${path} has schema version ${version}, this build reads ${migrations.length}: run the agent with this build once (akash-agent run) to upgrade it`,
      );
    }
    return { db, path, migration: { from: version, to: version, applied: [] } };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Closes a database opened by `openDatabase`, letting SQLite refresh its statistics first. Repeat calls do nothing. */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  if (db.readonly) {
    db.close();
    return;
  }
  try {
    db.pragma("optimize");
  } finally {
    db.close();
  }
}

/** better-sqlite3 loads its addon on first use; one built for another Node ABI fails to load here. */
function isNativeModuleMismatch(error: unknown): boolean {
  return (
    error instanceof Error &&
    ((error as NodeJS.ErrnoException).code === "ERR_DLOPEN_FAILED" ||
      /NODE_MODULE_VERSION/.test(error.message))
  );
}
