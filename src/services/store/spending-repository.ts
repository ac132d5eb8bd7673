import type { Database, Statement } from "better-sqlite3";
import { toAmountText } from "./amounts.js";
import { type RepositoryDeps, requireText } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

export const spendKinds = [
  "escrow_deposit",
  "deployment_deposit",
  "mint_act",
  "swap",
  "child_funding",
  "fee",
  "escrow_refund",
] as const;
export type SpendKind = (typeof spendKinds)[number];

/**
 * Kinds that are money coming back, not going out: their amounts (positive, like every amount) are
 * credits. `escrow_refund` is the escrow remainder a closed deployment returns to the owner.
 */
export const creditKinds: readonly SpendKind[] = ["escrow_refund"];

export interface NewSpend {
  /** Idempotency key of the payment (e.g. the intent key); recording it twice stores it once. */
  readonly key: string;
  readonly kind: SpendKind;
  readonly denom: string;
  /** Integer amount in the smallest unit of `denom`. */
  readonly amount: bigint | string;
  readonly txHash?: string | null;
  readonly createdAt?: number;
}

export interface SpendRecord {
  readonly key: string;
  readonly kind: SpendKind;
  readonly denom: string;
  readonly amount: bigint;
  readonly txHash: string | null;
  readonly createdAt: number;
}

export interface DailySpend {
  /** UTC calendar day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly kind: SpendKind;
  readonly denom: string;
  readonly amount: bigint;
  readonly count: number;
}

interface SpendRow {
  key: string;
  kind: SpendKind;
  denom: string;
  amount: string;
  tx_hash: string | null;
  created_at: number;
}

const toSpend = (row: SpendRow): SpendRecord => ({
  key: row.key,
  kind: row.kind,
  denom: row.denom,
  amount: BigInt(row.amount),
  txHash: row.tx_hash,
  createdAt: row.created_at,
});

/**
 * Money the agent spent, and money that came back (credit kinds, e.g. escrow refunds). Amounts are
 * summed as bigint in JavaScript: SQLite's SUM would overflow or round.
 */
export class SpendingRepository {
  private readonly insertRow: Statement<[string, string, string, string, string | null, number]>;
  private readonly getRow: Statement<[string], SpendRow>;
  private readonly setTxHashRow: Statement<[string, string]>;
  private readonly rowsBetween: Statement<[string, number, number], SpendRow>;
  private readonly allBetween: Statement<[number, number], SpendRow & { day: string }>;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO spending (key, kind, denom, amount, tx_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO NOTHING`,
    );
    this.getRow = db.prepare("SELECT * FROM spending WHERE key = ?");
    this.setTxHashRow = db.prepare("UPDATE spending SET tx_hash = ? WHERE key = ?");
    this.rowsBetween = db.prepare(
      "SELECT * FROM spending WHERE denom = ? AND created_at >= ? AND created_at < ? ORDER BY created_at",
    );
    this.allBetween = db.prepare(
      `SELECT *, strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day FROM spending
       WHERE created_at >= ? AND created_at < ? ORDER BY created_at`,
    );
  }

  /**
   * Records a payment once per key. Repeating a key with the same kind, denom and amount returns the
   * stored record (`created: false`); repeating it with different ones is a bug and throws.
   */
  record(spend: NewSpend): { spend: SpendRecord; created: boolean } {
    if (!spendKinds.includes(spend.kind)) {
      throw new TypeError(`spend kind must be one of ${spendKinds.join(", ")}, got ${String(spend.kind)}`);
    }
    const amount = toAmountText(spend.amount, `amount of spend ${spend.key}`);
    const { changes } = this.insertRow.run(
      requireText(spend.key, "spend key"),
      spend.kind,
      requireText(spend.denom, "denom"),
      amount,
      spend.txHash ?? null,
      spend.createdAt ?? this.deps.clock(),
    );
    const stored = this.get(spend.key)!;
    if (
      changes === 0 &&
      (stored.kind !== spend.kind || stored.denom !== spend.denom || stored.amount.toString() !== amount)
    ) {
      throw new StoreError(
        `spend key "${spend.key}" was already used for ${stored.amount}${stored.denom} (${stored.kind}), not ${amount}${spend.denom} (${spend.kind}): derive a distinct key per payment`,
      );
    }
    return { spend: stored, created: changes === 1 };
  }

  get(key: string): SpendRecord | undefined {
    const row = this.getRow.get(key);
    return row ? toSpend(row) : undefined;
  }

  setTxHash(key: string, txHash: string): SpendRecord {
    this.setTxHashRow.run(requireText(txHash, "tx hash"), key);
    const stored = this.get(key);
    if (!stored) throw new StoreError(`no spend with key "${key}" in the database: record it first`);
    return stored;
  }

  /** Sum of the amounts of `denom` recorded in `[from, to)` (UTC ms), optionally only of some kinds. */
  totalBetween(query: { denom: string; from: number; to: number; kinds?: readonly SpendKind[] }): bigint {
    let total = 0n;
    for (const row of this.rowsBetween.iterate(query.denom, query.from, query.to)) {
      if (!query.kinds || query.kinds.includes(row.kind)) total += BigInt(row.amount);
    }
    return total;
  }

  /** What left the agent in `denom` over `[from, to)`: the spends less the credits (`creditKinds`); may be negative. */
  netBetween(query: { denom: string; from: number; to: number }): bigint {
    let net = 0n;
    for (const row of this.rowsBetween.iterate(query.denom, query.from, query.to)) {
      net += creditKinds.includes(row.kind) ? -BigInt(row.amount) : BigInt(row.amount);
    }
    return net;
  }

  /** Sums per UTC day, kind and denom over `[from, to)`, in day order. */
  dailyTotals(query: { from: number; to: number }): DailySpend[] {
    const totals = new Map<
      string,
      { day: string; kind: SpendKind; denom: string; amount: bigint; count: number }
    >();
    for (const row of this.allBetween.iterate(query.from, query.to)) {
      const id = `${row.day}\u0000${row.kind}\u0000${row.denom}`;
      const entry = totals.get(id) ?? {
        day: row.day,
        kind: row.kind,
        denom: row.denom,
        amount: 0n,
        count: 0,
      };
      entry.amount += BigInt(row.amount);
      entry.count += 1;
      totals.set(id, entry);
    }
    return [...totals.values()].sort(
      (a, b) => a.day.localeCompare(b.day) || a.kind.localeCompare(b.kind) || a.denom.localeCompare(b.denom),
    );
  }
}

/** Start of the UTC day containing `time` (ms), for a calendar-day spend cap: `totalBetween({ from: startOfUtcDay(now), to: now + 1 })`. */
export function startOfUtcDay(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}
