import { DecAmount } from "../dec-amount.js";

export interface PriceWeight<Name extends string> {
  readonly service: Name;
  /** Relative weight, e.g. the service's estimated cost per block. */
  readonly weight: DecAmount;
}

/**
 * Splits a group's max price (whole uact per block) between its services' pricing entries.
 *
 * A bid is checked against the order's price, which is the sum of the group's resource prices, so
 * only the total binds the market; the split just has to add up to it and read sensibly. Every
 * service after the first gets ⌊total × weight ÷ Σweight⌋, at least 1 (a zero price is invalid);
 * the first gets the rest, so the entries sum to exactly `total`, never more. Equal weights are used
 * when they all are 0. Needs total ≥ the number of services.
 */
export function splitPrice<Name extends string>(
  total: bigint,
  weights: readonly PriceWeight<Name>[],
): { service: Name; amount: bigint }[] {
  if (weights.length === 0) throw new RangeError("splitPrice needs at least one service");
  if (total < BigInt(weights.length)) throw new RangeError(`splitPrice needs total ≥ ${weights.length}`);
  const allZero = weights.every((entry) => entry.weight.isZero());
  const weightOf = (entry: PriceWeight<Name>) => (allZero ? DecAmount.fromInteger(1) : entry.weight).atto;
  const sum = weights.reduce((acc, entry) => acc + weightOf(entry), 0n);
  const [first, ...rest] = weights as [PriceWeight<Name>, ...PriceWeight<Name>[]];
  const restShares = rest.map((entry) => {
    const share = (total * weightOf(entry)) / sum;
    return { service: entry.service, amount: share < 1n ? 1n : share };
  });
  const restTotal = restShares.reduce((acc, entry) => acc + entry.amount, 0n);
  // Raising a share to 1 can only eat into the first entry; keep it at ≥ 1 by trimming the largest.
  let firstAmount = total - restTotal;
  while (firstAmount < 1n) {
    const largest = restShares.reduce((a, b) => (b.amount > a.amount ? b : a));
    largest.amount -= 1n;
    firstAmount += 1n;
  }
  return [{ service: first.service, amount: firstAmount }, ...restShares];
}
