import type { Database, Statement } from "better-sqlite3";
import { type RepositoryDeps, requireText } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

/** One signed Cronos transaction of a treasury leg; replacements share the nonce with a higher attempt. */
export interface CronosTx {
  readonly intentKey: string;
  readonly attempt: number;
  readonly nonce: number;
  readonly txHash: string;
  /** The signed transaction, 0x hex: sent again as it is after a crash. */
  readonly rawTx: string;
  /** Wei, decimal string. */
  readonly maxFeePerGas: string;
  readonly createdAt: number;
}

interface CronosTxRow {
  intent_key: string;
  attempt: number;
  nonce: number;
  tx_hash: string;
  raw_tx: string;
  max_fee_per_gas: string;
  created_at: number;
}

const toTx = (row: CronosTxRow): CronosTx => ({
  intentKey: row.intent_key,
  attempt: row.attempt,
  nonce: row.nonce,
  txHash: row.tx_hash,
  rawTx: row.raw_tx,
  maxFeePerGas: row.max_fee_per_gas,
  createdAt: row.created_at,
});

/** Signed Cronos transactions per leg intent, recorded before they are broadcast. */
export class CronosTxRepository {
  private readonly insertRow: Statement<[string, number, number, string, string, string, number]>;
  private readonly rowsOf: Statement<[string], CronosTxRow>;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO cronos_txs (intent_key, attempt, nonce, tx_hash, raw_tx, max_fee_per_gas, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.rowsOf = db.prepare("SELECT * FROM cronos_txs WHERE intent_key = ? ORDER BY attempt");
  }

  /**
   * Records a signed transaction of a leg. The first one fixes the leg's nonce: a later one (a
   * replacement) must reuse it, or two different transactions could both be mined.
   */
  record(tx: Omit<CronosTx, "attempt" | "createdAt">): CronosTx {
    const earlier = this.list(tx.intentKey);
    const first = earlier[0];
    if (first && first.nonce !== tx.nonce) {
      throw new StoreError(
        `leg ${tx.intentKey} was signed with nonce ${first.nonce}; a replacement must reuse it, not ${tx.nonce}`,
      );
    }
    const attempt = earlier.length;
    this.insertRow.run(
      requireText(tx.intentKey, "intent key"),
      attempt,
      tx.nonce,
      requireText(tx.txHash, "tx hash"),
      requireText(tx.rawTx, "raw tx"),
      requireText(tx.maxFeePerGas, "max fee per gas"),
      this.deps.clock(),
    );
    return this.list(tx.intentKey)[attempt]!;
  }

  /** Every transaction signed for the leg, first one first. */
  list(intentKey: string): CronosTx[] {
    return this.rowsOf.all(intentKey).map(toTx);
  }

  latest(intentKey: string): CronosTx | undefined {
    return this.list(intentKey).at(-1);
  }
}
