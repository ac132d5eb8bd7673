import type { CloseDeploymentResult } from "../services/akash/index.js";
import { type AgentStore, creditKinds, type SpendRecord, startOfUtcDay } from "../services/store/index.js";

/**
 * Records what a deployment close gave back from its escrow (`refundedUact` of the close's result)
 * as an `escrow_refund` credit, keyed by the close's idempotency key: a close re-run after a crash
 * (same key, same tx, same amount) records nothing more, so the refund is credited once. Nothing is
 * recorded when no tx of ours closed it (amount unknown) or nothing came back.
 */
export function recordEscrowRefund(
  store: Pick<AgentStore, "spending">,
  close: { key: string; result: CloseDeploymentResult },
): SpendRecord | null {
  const { refundedUact, txHash } = close.result;
  if (refundedUact === null || BigInt(refundedUact) === 0n) return null;
  return store.spending.record({
    key: `${close.key}:refund`,
    kind: "escrow_refund",
    denom: "uact",
    amount: refundedUact,
    ...(txHash ? { txHash } : {}),
  }).spend;
}

/** uact the escrows gave back on the UTC day of `at` (for the treasury's daily cap). */
export function escrowRefundedOn(store: Pick<AgentStore, "spending">, at: number): bigint {
  return store.spending.totalBetween({
    denom: "uact",
    from: startOfUtcDay(at),
    to: at + 1,
    kinds: creditKinds,
  });
}
