import type { Database } from "better-sqlite3";
import { openDatabase } from "../services/store/database.js";

/** The admin's replay guard lives in its own small database beside the agent's. */
export const SEEN_AUTH_EVENTS_FILE = "admin-auth.db";

const MIGRATIONS = [
  {
    version: 1,
    name: "NIP-98 event ids accepted once",
    sql: `CREATE TABLE seen_auth_events (
  id TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX seen_auth_events_by_expiry ON seen_auth_events (expires_at);`,
  },
];

/**
 * NIP-98 event ids already accepted, kept on disk until they could no longer pass the timestamp
 * check anyway, so that a restart does not accept a captured Authorization header again.
 */
export class SeenAuthEvents {
  private readonly db: Database;
  private readonly insert;
  private readonly prune;

  constructor(dataDir: string) {
    this.db = openDatabase({ dataDir, fileName: SEEN_AUTH_EVENTS_FILE, migrations: MIGRATIONS }).db;
    this.insert = this.db.prepare<[string, number]>(
      "INSERT OR IGNORE INTO seen_auth_events (id, expires_at) VALUES (?, ?)",
    );
    this.prune = this.db.prepare<[number]>("DELETE FROM seen_auth_events WHERE expires_at < ?");
  }

  /** Records the id; false when it was accepted before (a replay). */
  accept(id: string, expiresAt: number, now: number): boolean {
    return this.db.transaction(() => {
      this.prune.run(now);
      return this.insert.run(id, expiresAt).changes === 1;
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
