import BetterSqlite3, { type Database } from "better-sqlite3";
import { APPLICATION_ID, schemaMigrations } from "../store/migrations.js";
import { BackupRefusedError } from "./backup-errors.js";

/** Intents of this kind are the backups themselves (see backup-intents.ts). */
export const BACKUP_INTENT_KIND = "backup";
/** The signed data item of one backup, recorded before it is posted. */
export const BACKUP_UPLOAD_INTENT_KIND = "backup-upload";

/** Offsets of the SQLite header's file-format bytes: 2 = WAL, 1 = rollback journal. */
const WRITE_VERSION_OFFSET = 18;
const READ_VERSION_OFFSET = 19;

export interface StoreExport {
  /** The export: a SQLite database image of the agent's schema. */
  readonly bytes: Buffer;
  /** Size of the whole store as it was read (before dropping what a restore does not need). */
  readonly storeBytes: number;
}

/**
 * An in-memory database from a serialized image. An image of a WAL database is marked as such in its
 * header, and SQLite cannot open an in-memory database in WAL mode: the copy is marked rollback-journal.
 */
function openImage(image: Buffer): Database {
  const copy = Buffer.from(image);
  if (copy.length > READ_VERSION_OFFSET) {
    copy[WRITE_VERSION_OFFSET] = 1;
    copy[READ_VERSION_OFFSET] = 1;
  }
  return new BetterSqlite3(copy);
}

/**
 * A consistent export of the agent's store: one `serialize()` (a single read of every page under one
 * lock) taken from the live connection, then, in a private in-memory copy, what a restore does not need
 * is dropped: the append-only journal of past inputs, delivered alerts, and the signed bytes of earlier
 * backups (each backup would otherwise hold the one before it). Kept: every machine's persisted
 * snapshots, the intents (unfinished ones and the done ones that make effects idempotent), provider
 * history, the children registry, spending (the daily cap) and undelivered alerts.
 */
export function exportStore(db: Database): StoreExport {
  const whole = db.serialize();
  const copy = openImage(whole);
  try {
    const guard = copy
      .prepare<[], { sql: string }>(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'journal_no_delete'",
      )
      .get();
    copy.transaction(() => {
      if (guard) copy.exec("DROP TRIGGER journal_no_delete");
      copy.exec("DELETE FROM journal");
      if (guard) copy.exec(guard.sql);
      copy.exec("DELETE FROM alerts WHERE delivered_at IS NOT NULL");
      copy.prepare("UPDATE intents SET tx_bytes = NULL WHERE kind = ?").run(BACKUP_UPLOAD_INTENT_KIND);
    })();
    copy.exec("VACUUM");
    return { bytes: copy.serialize(), storeBytes: whole.length };
  } finally {
    copy.close();
  }
}

export interface ExportSummary {
  readonly schemaVersion: number;
  readonly snapshots: number;
  readonly intents: number;
  readonly children: number;
  readonly leases: number;
}

/**
 * Checks that decrypted bytes are an agent store this build can open (application id, schema version not
 * newer than ours, SQLite's integrity check, a saved agent snapshot) and counts what it holds.
 */
export function inspectExport(bytes: Uint8Array): ExportSummary {
  let db: Database;
  try {
    db = openImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    throw new BackupRefusedError("the backup decrypted but is not a SQLite database: it is damaged");
  }
  try {
    const applicationId = db.pragma("application_id", { simple: true }) as number;
    if (applicationId !== APPLICATION_ID) {
      throw new BackupRefusedError(
        "the backup's database is not an akash-agent store (wrong application id)",
      );
    }
    const schemaVersion = db.pragma("user_version", { simple: true }) as number;
    if (schemaVersion > schemaMigrations.length) {
      throw new BackupRefusedError(
        `the backup's store has schema version ${schemaVersion}, newer than this build's ${schemaMigrations.length}: restore with a newer akash-agent`,
      );
    }
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok")
      throw new BackupRefusedError(
        `the backup's database fails SQLite's integrity check (${String(integrity)})`,
      );
    const count = (sql: string): number => db.prepare<[], { n: number }>(sql).get()?.n ?? 0;
    const hasActorRows =
      count("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'actor_snapshots'") > 0;
    const snapshots =
      count("SELECT count(*) AS n FROM snapshots WHERE machine_id = 'agent'") +
      (hasActorRows ? count("SELECT count(*) AS n FROM actor_snapshots WHERE machine_id = 'agent'") : 0);
    if (snapshots === 0) throw new BackupRefusedError("the backup's store holds no saved agent state");
    return {
      schemaVersion,
      snapshots,
      intents: count("SELECT count(*) AS n FROM intents"),
      children: count("SELECT count(*) AS n FROM children"),
      leases: count("SELECT count(*) AS n FROM provider_performance"),
    };
  } catch (error) {
    if (error instanceof BackupRefusedError) throw error;
    throw new BackupRefusedError(
      `the backup's database cannot be read (${error instanceof Error ? error.message : String(error)}): it is damaged`,
    );
  } finally {
    db.close();
  }
}
