import type { Database, Statement } from "better-sqlite3";
import { type ActorRow, assembleRows } from "./actor-rows.js";
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

interface ActorSnapshotRow {
  actor_path: string;
  seq: number;
  machine_version: string;
  snapshot_json: string;
  updated_at: number;
}

/** The stored rows of one machine (one per actor), with the seq and version of the machine's state. */
export interface StoredActorRows {
  readonly seq: number;
  readonly machineVersion: string;
  readonly rows: ActorRow[];
}

export const DEFAULT_SNAPSHOTS_KEPT = 5;

/**
 * Persisted machines: one row per actor rewritten in place (`putActorRows`, what the persister writes),
 * and the history table of whole root snapshots, newest `keep` per machine id (`append`).
 */
export class SnapshotRepository {
  readonly keep: number;
  private readonly insertRow: Statement<[string, string, string, number]>;
  private readonly pruneRows: Statement<[string, string, number]>;
  private readonly latestRow: Statement<[string], SnapshotRow>;
  private readonly listRows: Statement<[string], SnapshotRow>;
  private readonly appendAndPrune: (snapshot: NewSnapshot) => number;
  private readonly upsertActor: Statement<[string, string, number, string, string, number]>;
  private readonly deleteActor: Statement<[string, string]>;
  private readonly actorRows: Statement<[string], ActorSnapshotRow>;
  private readonly maxSeqs: Statement<[], { snapshots: number | null; actors: number | null }>;
  private lastSeq: number;

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
      this.lastSeq = Math.max(this.lastSeq, Number(lastInsertRowid));
      return Number(lastInsertRowid);
    });
    this.upsertActor = db.prepare(
      `INSERT INTO actor_snapshots (machine_id, actor_path, seq, machine_version, snapshot_json, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (machine_id, actor_path) DO UPDATE SET
         seq = excluded.seq, machine_version = excluded.machine_version,
         snapshot_json = excluded.snapshot_json, updated_at = excluded.updated_at`,
    );
    this.deleteActor = db.prepare("DELETE FROM actor_snapshots WHERE machine_id = ? AND actor_path = ?");
    this.actorRows = db.prepare(
      "SELECT actor_path, seq, machine_version, snapshot_json, updated_at FROM actor_snapshots WHERE machine_id = ?",
    );
    this.maxSeqs = db.prepare(
      "SELECT (SELECT max(seq) FROM snapshots) AS snapshots, (SELECT max(seq) FROM actor_snapshots) AS actors",
    );
    const seqs = this.maxSeqs.get();
    this.lastSeq = Math.max(seqs?.snapshots ?? 0, seqs?.actors ?? 0);
  }

  /**
   * Writes the rows of the actors of `machineId` that changed and deletes the rows of actors that are
   * gone, in place, under one new seq (returned). Call inside a transaction with the rows of one state.
   * Seqs come from this connection: one process writes an agent's database.
   */
  putActorRows(
    machineId: string,
    machineVersion: string,
    changed: readonly ActorRow[],
    removed: readonly string[] = [],
  ): number {
    const seq = this.lastSeq + 1;
    const now = this.deps.clock();
    for (const row of changed) this.upsertActor.run(machineId, row.path, seq, machineVersion, row.json, now);
    for (const path of removed) this.deleteActor.run(machineId, path);
    this.lastSeq = seq;
    return seq;
  }

  /** The rows of `machineId`, or undefined when it has none (nothing written since schema 7). */
  actorRowsOf(machineId: string): StoredActorRows | undefined {
    const rows = this.actorRows.all(machineId);
    const root = rows.find((row) => row.actor_path === "");
    if (!root) return undefined;
    return {
      seq: Math.max(...rows.map((row) => row.seq)),
      machineVersion: root.machine_version,
      rows: rows.map((row) => ({ path: row.actor_path, json: row.snapshot_json })),
    };
  }

  /** Writes a snapshot and prunes that machine's older ones in one transaction; returns its `seq`. */
  append(snapshot: NewSnapshot): number {
    return this.appendAndPrune(snapshot);
  }

  /**
   * The machine's current state: its actor rows put together when it has them (DESIGN §17), else the
   * newest row of its history (written before schema 7).
   */
  latest(machineId: string): StoredSnapshot | undefined {
    const actors = this.actorRows.all(machineId);
    if (actors.length > 0) {
      return {
        seq: Math.max(...actors.map((row) => row.seq)),
        machineId,
        machineVersion: actors.find((row) => row.actor_path === "")?.machine_version ?? "",
        snapshotJson: assembleRows(
          actors.map((row) => ({ path: row.actor_path, json: row.snapshot_json })),
          machineId,
        ),
        createdAt: Math.max(...actors.map((row) => row.updated_at)),
      };
    }
    const row = this.latestRow.get(machineId);
    return row ? toSnapshot(row) : undefined;
  }

  /** Every kept history snapshot of a machine, oldest first (not the actor rows). */
  list(machineId: string): StoredSnapshot[] {
    return this.listRows.all(machineId).map(toSnapshot);
  }
}
