import { DomainInputError } from "./domain-input-error.js";

/**
 * Exact decimal amounts for uact (and any other DecCoin). Akash prices, bids and escrow rates are
 * `cosmossdk.io/math.LegacyDec` values with 18 fractional digits; a DecAmount holds the same thing
 * as a bigint count of 10^-18 units ("atto"), so sums, comparisons and products never round the
 * way floating point does. Public results leave the domain as decimal strings (`toString`), which
 * are JSON data and what chain-sdk expects for a DecCoin amount.
 */

export const DEC_FRACTION_DIGITS = 18;
const SCALE = 10n ** BigInt(DEC_FRACTION_DIGITS);

/** How callers hand amounts in: a decimal string ("1.5"), a number (1.5) or a whole bigint (2n). */
export type DecimalInput = string | number | bigint;

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Beyond any finite double; keeps "1e999999999" from building a gigantic bigint. */
const MAX_EXPONENT = 400;

/** ⌈a / b⌉ for a ≥ 0, b > 0. */
export function divideCeil(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

export class DecAmount {
  static readonly ZERO = new DecAmount(0n);

  /** The amount times 10^18. */
  readonly atto: bigint;

  private constructor(atto: bigint) {
    this.atto = atto;
  }

  static fromAtto(atto: bigint): DecAmount {
    return new DecAmount(atto);
  }

  static fromInteger(value: bigint | number): DecAmount {
    return new DecAmount(BigInt(value) * SCALE);
  }

  /**
   * Reads a non-negative amount exactly. Numbers go through their shortest decimal form (`0.1` is
   * read as 1/10, not as the binary double). More than 18 fractional digits, a negative or
   * non-finite value, or text that is not a plain decimal is a DomainInputError naming `field`.
   */
  static parse(field: string, input: DecimalInput): DecAmount {
    const allowed = `must be a decimal amount ≥ 0 with at most ${DEC_FRACTION_DIGITS} fractional digits`;
    if (typeof input === "bigint") {
      if (input < 0n) throw DomainInputError.of(field, input, allowed);
      return DecAmount.fromInteger(input);
    }
    if (typeof input === "number" && !Number.isFinite(input)) {
      throw DomainInputError.of(field, input, allowed);
    }
    if (typeof input !== "number" && typeof input !== "string") {
      throw DomainInputError.of(field, input, allowed);
    }
    const match = DECIMAL_PATTERN.exec(String(input).trim());
    if (!match) throw DomainInputError.of(field, input, allowed);
    const [, whole = "", fraction = "", exponentText = "0"] = match;
    const exponent = Number(exponentText);
    if (Math.abs(exponent) > MAX_EXPONENT) throw DomainInputError.of(field, input, allowed);
    // digits × 10^(exponent - fraction.length) × 10^18 must be a whole number of atto units.
    const shift = DEC_FRACTION_DIGITS + exponent - fraction.length;
    const digits = BigInt(whole + fraction);
    if (shift >= 0) return new DecAmount(digits * 10n ** BigInt(shift));
    const divisor = 10n ** BigInt(-shift);
    if (digits % divisor !== 0n) throw DomainInputError.of(field, input, allowed);
    return new DecAmount(digits / divisor);
  }

  plus(other: DecAmount): DecAmount {
    return new DecAmount(this.atto + other.atto);
  }

  minus(other: DecAmount): DecAmount {
    return new DecAmount(this.atto - other.atto);
  }

  /** Product, truncated to 18 fractional digits (as LegacyDec does). */
  times(other: DecAmount): DecAmount {
    return new DecAmount((this.atto * other.atto) / SCALE);
  }

  timesInteger(factor: bigint | number): DecAmount {
    return new DecAmount(this.atto * BigInt(factor));
  }

  /** The largest whole n with n × step ≤ this (step > 0, this ≥ 0). */
  wholeMultiplesOf(step: DecAmount): bigint {
    return this.atto / step.atto;
  }

  compare(other: DecAmount): -1 | 0 | 1 {
    return this.atto < other.atto ? -1 : this.atto > other.atto ? 1 : 0;
  }

  isZero(): boolean {
    return this.atto === 0n;
  }

  isNegative(): boolean {
    return this.atto < 0n;
  }

  static max(a: DecAmount, b: DecAmount): DecAmount {
    return a.compare(b) >= 0 ? a : b;
  }

  static min(a: DecAmount, b: DecAmount): DecAmount {
    return a.compare(b) <= 0 ? a : b;
  }

  /** Rounded up to a whole unit (for Coin amounts such as deposits). Only for non-negative amounts. */
  ceilInteger(): bigint {
    return divideCeil(this.atto, SCALE);
  }

  floorInteger(): bigint {
    return this.atto / SCALE;
  }

  /** this ÷ other as a float, for ratios that feed a score (other > 0). */
  ratioTo(other: DecAmount): number {
    const micro = (this.atto * 1_000_000_000n) / other.atto;
    return Number(micro) / 1e9;
  }

  /** A float approximation, for USD figures derived from an amount. */
  toNumber(): number {
    return Number(this.toString());
  }

  /** Shortest exact decimal: "3", "0.2", "-1.5". */
  toString(): string {
    const negative = this.atto < 0n;
    const magnitude = negative ? -this.atto : this.atto;
    const whole = magnitude / SCALE;
    const fraction = (magnitude % SCALE).toString().padStart(DEC_FRACTION_DIGITS, "0").replace(/0+$/, "");
    return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
