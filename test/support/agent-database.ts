import { join } from "node:path";
import Database from "better-sqlite3";
import type { StateValue } from "xstate";
import { leaseViewFromPersisted } from "../../src/runtime/lease-view.js";
import { type ActorRow, assembleRows, DEFAULT_DATABASE_FILE } from "../../src/services/store/index.js";

/**
 * Reads the lease state of the newest snapshot in an agent's database while the agent may still be
 * running (a read-only connection: WAL lets it read beside the agent's writes). Null before the
 * lease actor ran or before the database exists.
 */
export function storedLeaseState(dataDir: string): string | null {
  let db: Database.Database;
  try {
    db = new Database(join(dataDir, DEFAULT_DATABASE_FILE), { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    // One row per actor since schema 7 (the lease is the root's child "lease"); the history table before.
    let actorRows: ActorRow[];
    try {
      actorRows = db
        .prepare(
          "SELECT actor_path AS path, snapshot_json AS json FROM actor_snapshots WHERE machine_id = 'agent'",
        )
        .all() as ActorRow[];
    } catch {
      return null; // not migrated yet: the agent is still opening its database
    }
    const row = db
      .prepare("SELECT snapshot_json FROM snapshots WHERE machine_id = 'agent' ORDER BY seq DESC LIMIT 1")
      .get() as { snapshot_json: string } | undefined;
    const json = actorRows.length > 0 ? assembleRows(actorRows, "agent") : row?.snapshot_json;
    if (json === undefined) return null;
    const root = JSON.parse(json) as { value?: StateValue };
    return leaseViewFromPersisted(root)?.state ?? null;
  } finally {
    db.close();
  }
}
