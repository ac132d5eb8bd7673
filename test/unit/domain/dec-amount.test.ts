import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecAmount, DomainInputError } from "../../../src/domain/index.js";

describe("DecAmount", () => {
  it("reads decimal strings, numbers and bigints exactly", () => {
    expect(DecAmount.parse("x", "1.5").atto).toBe(1_500_000_000_000_000_000n);
    expect(DecAmount.parse("x", 0.1).toString()).toBe("0.1");
    expect(DecAmount.parse("x", 7n).toString()).toBe("7");
    expect(DecAmount.parse("x", 1e-7).toString()).toBe("0.0000001");
    expect(DecAmount.parse("x", "2.5e3").toString()).toBe("2500");
    expect(DecAmount.parse("x", "0.000000000000000001").atto).toBe(1n);
    expect(DecAmount.parse("x", "12.500000000000000000").toString()).toBe("12.5");
  });

  it("adds without floating-point residue", () => {
    expect(DecAmount.parse("a", 0.1).plus(DecAmount.parse("b", 0.2)).toString()).toBe("0.3");
  });

  it.each([
    ["-1", "must be a decimal amount ≥ 0"],
    [Number.NaN, "must be a decimal amount ≥ 0"],
    [Number.POSITIVE_INFINITY, "must be a decimal amount ≥ 0"],
    ["0.0000000000000000001", "at most 18 fractional digits"],
    ["1,5", "must be a decimal amount"],
    ["", "must be a decimal amount"],
    [-3n, "must be a decimal amount ≥ 0"],
    ["1e999999999", "must be a decimal amount ≥ 0"],
  ])("rejects %s with a DomainInputError naming the field", (value, allowed) => {
    const attempt = () => DecAmount.parse("rates.cpuPerUnit", value as string);
    expect(attempt).toThrow(DomainInputError);
    expect(attempt).toThrow(/^invalid input: rates\.cpuPerUnit = .+: /);
    expect(attempt).toThrow(allowed);
  });

  it("rounds to whole units up and down", () => {
    const amount = DecAmount.parse("x", "347.2");
    expect(amount.ceilInteger()).toBe(348n);
    expect(amount.floorInteger()).toBe(347n);
    expect(DecAmount.fromInteger(5).ceilInteger()).toBe(5n);
  });

  it("prints negative differences with a sign", () => {
    expect(DecAmount.parse("a", "1").minus(DecAmount.parse("b", "2.25")).toString()).toBe("-1.25");
  });

  it("round-trips any amount through its string form", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), (atto) => {
        const amount = DecAmount.fromAtto(atto);
        expect(DecAmount.parse("x", amount.toString()).atto).toBe(atto);
      }),
    );
  });

  it("multiplies like integer arithmetic on whole amounts", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (a, b) => {
          expect(DecAmount.fromInteger(a).times(DecAmount.fromInteger(b)).toString()).toBe(
            (a * b).toString(),
          );
        },
      ),
    );
  });
});
