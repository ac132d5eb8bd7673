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
