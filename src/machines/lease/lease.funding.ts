/** Escrow needed to bring a lease from its current runway back to the target runway, in uact (at least 1). */
export function topUpAmountUact(
  priceUactPerBlock: string,
  runwayHours: number,
  targetHours: number,
  blockSeconds: number,
): string {
  const blocksPerHour = 3600 / blockSeconds;
  const missingHours = Math.max(0, targetHours - Math.max(0, runwayHours));
  const amount = Math.ceil(Number(priceUactPerBlock) * blocksPerHour * missingHours);
  return String(Math.max(1, amount));
}

/**
 * Whether an escrow reading taken at `observedAt` can be acted on: a health check that began before
 * the last top-up was in the escrow may not count it, and topping up on it would pay twice.
 */
export function isRunwayReadCurrent(
  escrowToppedUpAt: number | null | undefined,
  observedAt: number,
): boolean {
  return escrowToppedUpAt == null || observedAt > escrowToppedUpAt;
}
