import type { Database, Statement } from "better-sqlite3";
import { assertJsonData, type JsonValue, parseJsonText, toJsonText } from "./json-data.js";
import { type RepositoryDeps, requireText } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

export const intentStates = ["pending", "done", "failed"] as const;
export type IntentState = (typeof intentStates)[number];

export interface NewIntent {
  /** The effect's deterministic idempotency key (the one in the actor's input). */
  readonly key: string;
  /** What the effect is: `create_deployment`, `create_lease`, `escrow_deposit` … */
  readonly kind: string;
  /** What is needed to finish or look up the effect after a crash (dseq, bid id …). JSON data, redacted. */
  readonly payload?: unknown;
}

/**
 * A side effect recorded before it is attempted. The signed transaction (bytes and hash) is recorded
 * before broadcasting, so after a crash the same transaction is looked up on chain or re-sent, never re-signed.
 */
export interface Intent {
  readonly key: string;
  readonly kind: string;
  readonly payload: JsonValue;
  readonly state: IntentState;
  readonly txHash: string | null;
  readonly txBytes: Uint8Array | null;
  readonly error: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

interface IntentRow {
  key: string;
  kind: string;
  payload_json: string;
  state: IntentState;
  tx_hash: string | null;
  tx_bytes: Buffer | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

const toIntent = (row: IntentRow): Intent => ({
  key: row.key,
  kind: row.kind,
  payload: parseJsonText(row.payload_json),
  state: row.state,
  txHash: row.tx_hash,
  txBytes: row.tx_bytes ? new Uint8Array(row.tx_bytes) : null,
  error: row.error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Crash-safe record of side effects, keyed by idempotency key. */
export class IntentRepository {
  private readonly insertRow: Statement<[string, string, string, number, number]>;
  private readonly getRow: Statement<[string], IntentRow>;
  private readonly attachTxRow: Statement<[string, Buffer | null, number, string]>;
  private readonly completeRow: Statement<[string | null, number, string]>;
  private readonly failRow: Statement<[string, number, string]>;
  private readonly pendingRows: Statement<[], IntentRow>;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO intents (key, kind, payload_json, state, created_at, updated_at)
       VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (key) DO NOTHING`,
    );
    this.getRow = db.prepare("SELECT * FROM intents WHERE key = ?");
    this.attachTxRow = db.prepare(
      "UPDATE intents SET tx_hash = ?, tx_bytes = coalesce(?, tx_bytes), updated_at = ? WHERE key = ?",
    );
    this.completeRow = db.prepare(
      "UPDATE intents SET state = 'done', tx_hash = coalesce(?, tx_hash), error = NULL, updated_at = ? WHERE key = ?",
    );
    this.failRow = db.prepare(
      "UPDATE intents SET state = 'failed', error = ?, updated_at = ? WHERE key = ? AND state <> 'done'",
    );
    this.pendingRows = db.prepare("SELECT * FROM intents WHERE state = 'pending' ORDER BY created_at, key");
  }

  /**
   * Records an intent unless its key is already known; either way returns the stored row, with
   * `created` telling which. A repeat with a different kind means two effects share a key, and throws.
   */
  record(intent: NewIntent): { intent: Intent; created: boolean } {
    const what = `payload of intent ${intent.key}`;
    assertJsonData(intent.payload ?? null, what);
    const now = this.deps.clock();
    const { changes } = this.insertRow.run(
      requireText(intent.key, "intent key"),
      requireText(intent.kind, "intent kind"),
      toJsonText(this.deps.redactor.value(intent.payload ?? null), what),
      now,
      now,
    );
    const stored = this.require(intent.key);
    if (stored.kind !== intent.kind) {
      throw new StoreError(
        `intent key "${intent.key}" already belongs to a ${stored.kind} effect, not ${intent.kind}: derive keys per effect kind`,
      );
    }
    return { intent: stored, created: changes === 1 };
  }

  get(key: string): Intent | undefined {
    const row = this.getRow.get(key);
    return row ? toIntent(row) : undefined;
  }

  /** Records the signed transaction before it is broadcast. */
  attachTx(key: string, tx: { hash: string; bytes?: Uint8Array }): Intent {
    this.attachTxRow.run(
      requireText(tx.hash, "tx hash"),
      tx.bytes ? Buffer.from(tx.bytes) : null,
      this.deps.clock(),
      key,
    );
    return this.require(key);
  }

  /** Marks the effect done (also after an earlier failure, when a later lookup finds it happened). */
  complete(key: string, result: { txHash?: string } = {}): Intent {
    this.completeRow.run(result.txHash ?? null, this.deps.clock(), key);
    return this.require(key);
  }

  /** Marks a pending effect failed with a reason (redacted; keep it to a line). A done effect stays done. */
  fail(key: string, reason: string): Intent {
    this.failRow.run(this.deps.redactor.text(reason), this.deps.clock(), key);
    return this.require(key);
  }

  /** Intents still pending, oldest first: what to look up after a restart. */
  pending(kind?: string): Intent[] {
    const rows = this.pendingRows.all().map(toIntent);
    return kind === undefined ? rows : rows.filter((intent) => intent.kind === kind);
  }

  private require(key: string): Intent {
    const found = this.get(key);
    if (!found) throw new StoreError(`no intent with key "${key}" in the database: record it before acting`);
    return found;
  }
}
