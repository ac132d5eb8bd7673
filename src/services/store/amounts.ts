/** Checks and normalises an integer amount in the smallest unit (`uakt`, `uact` …) to its decimal string. */
export function toAmountText(amount: bigint | string, field: string): string {
  if (typeof amount === "bigint") {
    if (amount < 0n) throw new RangeError(`${field} must not be negative, got ${amount}`);
    return amount.toString();
  }
  if (!/^(0|[1-9][0-9]*)$/.test(amount)) {
    throw new RangeError(`${field} must be a non-negative integer in the smallest unit, got "${amount}"`);
  }
  return amount;
}
