import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BLOCKS_PER_DAY, DomainInputError, maxPricePerBlockUact } from "../../../src/domain/index.js";

describe("maxPricePerBlockUact", () => {
  it("turns a daily USD budget into whole uact per 6 s block, rounded up", () => {
    expect(BLOCKS_PER_DAY).toBe(14_400);
    expect(maxPricePerBlockUact({ targetUsdPerDay: 5, actUsd: 1 })).toBe(348n); // 347.2…
    expect(maxPricePerBlockUact({ targetUsdPerDay: 5, actUsd: 0.5 })).toBe(695n); // 694.4…
  });

  it("is exact where a float would round the wrong way", () => {
    // $4.32 at $3 is exactly 100 uact per block; Math.ceil(4.32 / 3 * 1e6 / 14400) gives 101.
    expect(maxPricePerBlockUact({ targetUsdPerDay: 4.32, actUsd: 3 })).toBe(100n);
    expect(maxPricePerBlockUact({ targetUsdPerDay: 8.46, actUsd: 0.1 })).toBe(5875n);
    expect(maxPricePerBlockUact({ targetUsdPerDay: 0.3, actUsd: 0.1 })).toBe(209n); // 208.33…
  });

  it("never allows less than the budget and never a whole uact more than needed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (cents, actCents) => {
          const price = maxPricePerBlockUact({ targetUsdPerDay: cents / 100, actUsd: actCents / 100 });
          // uact a day the budget buys = cents × 10^6 / actCents
          const dailyUactTimesAct = BigInt(cents) * 1_000_000n;
          expect(price * BigInt(BLOCKS_PER_DAY) * BigInt(actCents) >= dailyUactTimesAct).toBe(true);
          expect((price - 1n) * BigInt(BLOCKS_PER_DAY) * BigInt(actCents) < dailyUactTimesAct).toBe(true);
        },
      ),
    );
  });

  it.each([
    [{ targetUsdPerDay: -1, actUsd: 1 }, "budget.targetUsdPerDay = -1: must be a finite number > 0"],
    [{ targetUsdPerDay: 0, actUsd: 1 }, "budget.targetUsdPerDay = 0: must be a finite number > 0"],
    [{ targetUsdPerDay: Number.NaN, actUsd: 1 }, "budget.targetUsdPerDay = NaN"],
    [{ targetUsdPerDay: 5, actUsd: Number.POSITIVE_INFINITY }, "budget.actUsd = Infinity"],
    [{ targetUsdPerDay: 5, actUsd: 0 }, "budget.actUsd = 0"],
  ])("rejects %o", (budget, message) => {
    expect(() => maxPricePerBlockUact(budget)).toThrow(DomainInputError);
    expect(() => maxPricePerBlockUact(budget)).toThrow(message);
  });
});
