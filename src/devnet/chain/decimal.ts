/**
 * cosmossdk.io/math LegacyDec as a bigint of atomics (18 fractional digits). DecCoin and escrow balance
 * amounts are kept in this form so that per-block escrow arithmetic matches the chain's exactly.
 */
export const DEC_PRECISION = 18n;
export const DEC_ONE = 10n ** DEC_PRECISION;

export type Dec = bigint;

export function decFromInt(value: bigint): Dec {
  return value * DEC_ONE;
}

/** Parses "1.5", "-0.25" or "3" into atomics; more than 18 fractional digits is an error. */
export function decFromString(value: string): Dec {
  const match = /^(-)?(\d+)(?:\.(\d{1,18}))?$/.exec(value.trim());
  if (!match) throw new Error(`invalid decimal: ${JSON.stringify(value)}`);
  const [, sign, whole = "0", fraction = ""] = match;
  const atomics = BigInt(whole) * DEC_ONE + BigInt(fraction.padEnd(18, "0") || "0");
  return sign ? -atomics : atomics;
}

/** Minimal decimal text ("1.5", "0", "-2"), which chain-sdk's LegacyDec codec accepts. */
export function decToString(value: Dec): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / DEC_ONE;
  const fraction = (abs % DEC_ONE).toString().padStart(18, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Truncates toward zero to an integer amount (Go's LegacyDec.TruncateInt). */
export function decTruncate(value: Dec): bigint {
  return value / DEC_ONE;
}

/** The smaller of two amounts (works for any bigint, atomics or plain integers). */
export function decMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
