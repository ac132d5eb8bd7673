import type { Database, Statement } from "better-sqlite3";
import type { RepositoryDeps } from "./repository-deps.js";

/** One persisted root snapshot. `seq` grows with every write and is never reused. */
export interface StoredSnapshot {
  readonly seq: number;
  readonly machineId: string;
  readonly machineVersion: string;
  readonly snapshotJson: string;
  readonly createdAt: number;
}

export interface NewSnapshot {
  readonly machineId: string;
  readonly machineVersion: string;
  /** `JSON.stringify` of the actor's `getPersistedSnapshot()`; checked to be valid JSON by the table. */
  readonly snapshotJson: string;
}

interface SnapshotRow {
  seq: number;
  machine_id: string;
  machine_version: string;
  snapshot_json: string;
  created_at: number;
}

const toSnapshot = (row: SnapshotRow): StoredSnapshot => ({
  seq: row.seq,
  machineId: row.machine_id,
  machineVersion: row.machine_version,
  snapshotJson: row.snapshot_json,
  createdAt: row.created_at,
});

export const DEFAULT_SNAPSHOTS_KEPT = 5;

/** Persisted root snapshots, newest `keep` per machine id. */
export class SnapshotRepository {
  readonly keep: number;
  private readonly insertRow: Statement<[string, string, string, number]>;
  private readonly pruneRows: Statement<[string, string, number]>;
  private readonly latestRow: Statement<[string], SnapshotRow>;
  private readonly listRows: Statement<[string], SnapshotRow>;
  private readonly appendAndPrune: (snapshot: NewSnapshot) => number;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
    keep = DEFAULT_SNAPSHOTS_KEPT,
  ) {
    if (!Number.isInteger(keep) || keep < 1)
      throw new RangeError(`snapshots to keep must be ≥ 1, got ${keep}`);
    this.keep = keep;
    this.insertRow = db.prepare(
      "INSERT INTO snapshots (machine_id, machine_version, snapshot_json, created_at) VALUES (?, ?, ?, ?)",
    );
    this.pruneRows = db.prepare(
      `DELETE FROM snapshots WHERE machine_id = ? AND seq NOT IN
         (SELECT seq FROM snapshots WHERE machine_id = ? ORDER BY seq DESC LIMIT ?)`,
    );
    this.latestRow = db.prepare("SELECT * FROM snapshots WHERE machine_id = ? ORDER BY seq DESC LIMIT 1");
    this.listRows = db.prepare("SELECT * FROM snapshots WHERE machine_id = ? ORDER BY seq");
    this.appendAndPrune = db.transaction((snapshot: NewSnapshot): number => {
      const { lastInsertRowid } = this.insertRow.run(
        snapshot.machineId,
        snapshot.machineVersion,
        snapshot.snapshotJson,
        this.deps.clock(),
      );
      this.pruneRows.run(snapshot.machineId, snapshot.machineId, this.keep);
      return Number(lastInsertRowid);
    });
  }

  /** Writes a snapshot and prunes that machine's older ones in one transaction; returns its `seq`. */
  append(snapshot: NewSnapshot): number {
    return this.appendAndPrune(snapshot);
  }

  latest(machineId: string): StoredSnapshot | undefined {
    const row = this.latestRow.get(machineId);
    return row ? toSnapshot(row) : undefined;
  }

  /** Every kept snapshot of a machine, oldest first. */
  list(machineId: string): StoredSnapshot[] {
    return this.listRows.all(machineId).map(toSnapshot);
  }
}
