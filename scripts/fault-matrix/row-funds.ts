import type { AgentStore } from "../../src/services/store/index.js";

/** What the agent's ledger holds per `kind denom`, summed over all time. */
export type SpendTotals = Map<string, bigint>;

export function spendTotals(store: AgentStore): SpendTotals {
  const totals: SpendTotals = new Map();
  for (const row of store.spending.dailyTotals({ from: 0, to: Number.MAX_SAFE_INTEGER })) {
    const key = `${row.kind} ${row.denom}`;
    totals.set(key, (totals.get(key) ?? 0n) + row.amount);
  }
  return totals;
}

/** What the ledger gained between two readings, e.g. "escrow_deposit 5000000 uact, mint_act 4000000 uakt". */
export function fundsLine(before: SpendTotals, after: SpendTotals): string {
  const parts: string[] = [];
  for (const [key, amount] of after) {
    const delta = amount - (before.get(key) ?? 0n);
    if (delta === 0n) continue;
    const [kind, denom] = key.split(" ");
    parts.push(`${kind} ${delta} ${denom}`);
  }
  return parts.join(", ") || "none";
}
