import type { Database, Statement } from "better-sqlite3";
import { assertJsonData, type JsonValue, parseJsonText, toJsonText } from "./json-data.js";
import { type RepositoryDeps, requireText } from "./repository-deps.js";

/** An input the agent received from outside (HTTP call, timer, chain observation, CLI …). */
export interface JournalInput {
  /** Where it came from: `http`, `timer`, `chain`, `cli`, `nostr` … */
  readonly source: string;
  /** The actor it was sent to: `root` or a child's systemId. Default `root`. */
  readonly target?: string;
  /** The event type, e.g. `LEASE.RECLAIMING`. */
  readonly type: string;
  /** The event's data. Must be JSON data; it passes through the store's redactor before it is written. */
  readonly payload?: unknown;
  /** When it was received (UTC ms). Default: now. */
  readonly receivedAt?: number;
}

export interface JournalEntry {
  readonly id: number;
  readonly source: string;
  readonly target: string;
  readonly type: string;
  readonly payload: JsonValue;
  readonly receivedAt: number;
  /** The snapshot written after the step this input led to; `null` until that write (or when it never happened). */
  readonly snapshotSeq: number | null;
}

interface JournalRow {
  id: number;
  source: string;
  target: string;
  type: string;
  payload_json: string;
  received_at: number;
  snapshot_seq: number | null;
}

const toEntry = (row: JournalRow): JournalEntry => ({
  id: row.id,
  source: row.source,
  target: row.target,
  type: row.type,
  payload: parseJsonText(row.payload_json),
  receivedAt: row.received_at,
  snapshotSeq: row.snapshot_seq,
});

/** Append-only log of external inputs (the table refuses deletes and rewrites). */
export class JournalRepository {
  private readonly insertRow: Statement<[string, string, string, string, number], JournalRow>;
  private readonly linkRow: Statement<[number, number]>;
  private readonly listRows: Statement<[number, number], JournalRow>;
  private readonly linkAll: (ids: readonly number[], seq: number) => void;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.insertRow = db.prepare(
      "INSERT INTO journal (source, target, type, payload_json, received_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
    );
    this.linkRow = db.prepare("UPDATE journal SET snapshot_seq = ? WHERE id = ? AND snapshot_seq IS NULL");
    this.listRows = db.prepare("SELECT * FROM journal WHERE id > ? ORDER BY id LIMIT ?");
    this.linkAll = db.transaction((ids: readonly number[], seq: number) => {
      for (const id of ids) this.linkRow.run(seq, id);
    });
  }

  append(input: JournalInput): JournalEntry {
    const what = `journal payload of ${input.type}`;
    assertJsonData(input.payload ?? null, what);
    const payload = toJsonText(this.deps.redactor.value(input.payload ?? null), what);
    const row = this.insertRow.get(
      requireText(input.source, "journal source"),
      requireText(input.target ?? "root", "journal target"),
      requireText(input.type, "journal type"),
      payload,
      input.receivedAt ?? this.deps.clock(),
    );
    return toEntry(row!);
  }

  /** Records which snapshot the given inputs led to. Entries already linked keep their link. */
  linkToSnapshot(ids: readonly number[], seq: number): void {
    if (ids.length > 0) this.linkAll(ids, seq);
  }

  /** Entries after `afterId`, oldest first. */
  list(options: { afterId?: number; limit?: number } = {}): JournalEntry[] {
    return this.listRows.all(options.afterId ?? 0, options.limit ?? 1000).map(toEntry);
  }
}
