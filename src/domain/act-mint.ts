/**
 * How much AKT to burn with `MsgMintACT` for an amount of ACT (BME, §5 of the design).
 *
 * The mint converts at the oracle's time-weighted AKT price when its epoch settles (≈ 10 blocks after
 * the transaction), less the 25 bps mint spread. 2 % covers that spread and the price's drift over
 * the settlement window several times over; what the margin mints beyond the need stays in the account
 * as ACT float for the next deposit, so a generous margin costs nothing but a little AKT held as ACT.
 * The funding the agent waits for before its first deployment uses the same margin, so the wallet
 * it asks for is exactly what its first mint burns (plus the fee reserve).
 */
export const ACT_MINT_MARGIN = 1.02;

/** Prices a mint is planned at: USD per ACT (≈ 1) and USD per AKT (the oracle's, or the configured fallback). */
export interface MintPrices {
  readonly actUsd: number;
  readonly aktUsd: number;
}

/** uakt to burn so that at least `uact` arrives, with {@link ACT_MINT_MARGIN} on top, rounded up. */
export function uaktToMintUact(uact: bigint, prices: MintPrices): bigint {
  return BigInt(Math.ceil(((Number(uact) * prices.actUsd) / prices.aktUsd) * ACT_MINT_MARGIN));
}
