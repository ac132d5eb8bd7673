import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecAmount } from "../../../src/domain/index.js";
import { splitPrice } from "../../../src/domain/sdl/price-split.js";

const weight = (service: string, value: string) => ({ service, weight: DecAmount.parse("w", value) });

describe("splitPrice", () => {
  it("splits by weight, flooring the others and giving the first the rest", () => {
    expect(splitPrice(100n, [weight("a", "5"), weight("b", "3"), weight("c", "2")])).toEqual([
      { service: "a", amount: 50n },
      { service: "b", amount: 30n },
      { service: "c", amount: 20n },
    ]);
    expect(splitPrice(10n, [weight("a", "1"), weight("b", "1"), weight("c", "1")])).toEqual([
      { service: "a", amount: 4n },
      { service: "b", amount: 3n },
      { service: "c", amount: 3n },
    ]);
  });

  it("gives every entry at least 1 and splits equally when all weights are 0", () => {
    expect(
      splitPrice(3n, [weight("a", "100"), weight("b", "0.001"), weight("c", "0")]).map((e) => e.amount),
    ).toEqual([1n, 1n, 1n]);
    expect(
      splitPrice(9n, [weight("a", "0"), weight("b", "0"), weight("c", "0")]).map((e) => e.amount),
    ).toEqual([3n, 3n, 3n]);
  });

  it("refuses a total smaller than the number of services", () => {
    expect(() => splitPrice(2n, [weight("a", "1"), weight("b", "1"), weight("c", "1")])).toThrow(RangeError);
  });

  it("always sums to exactly the total with every entry ≥ 1", () => {
    const weightText = fc.integer({ min: 0, max: 1_000_000 }).map((milli) => (milli / 1000).toString());
    fc.assert(
      fc.property(
        fc.bigInt({ min: 3n, max: 10_000_000n }),
        fc.array(weightText, { minLength: 3, maxLength: 3 }),
        (total, ws) => {
          const split = splitPrice(
            total,
            ws.map((w, index) => weight(`s${index}`, w)),
          );
          expect(split.reduce((sum, entry) => sum + entry.amount, 0n)).toBe(total);
          for (const entry of split) expect(entry.amount >= 1n).toBe(true);
        },
      ),
    );
  });
});
