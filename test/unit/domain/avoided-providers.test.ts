import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BidCandidate,
  DomainInputError,
  type ScoringInput,
  scoreBids,
} from "../../../src/domain/index.js";
import { address } from "./fixtures.js";

const PARENT = address("p");
const SIBLING = address("s");
const OTHER = address("o");
const FAR = address("f");

const bid = (provider: string, price: string, uptime1d: number | null = null): BidCandidate => ({
  provider,
  price,
  denom: "uact",
  attributes: [],
  uptime: { uptime1d, uptime7d: uptime1d, uptime30d: uptime1d, isOnline: true },
});

const base: ScoringInput = {
  bids: [],
  maxPricePerBlock: "100",
  auditors: [],
  family: [],
  excludedProviders: [],
};

describe("avoided providers (bidding.avoidProviders)", () => {
  it("rank after every other bid, however well they score, and are marked avoided", () => {
    const bids = [bid(PARENT, "10", 1), bid(SIBLING, "11", 1), bid(OTHER, "90", 0.9), bid(FAR, "95", null)];
    const plain = scoreBids({ ...base, bids });
    expect(plain.ranked.map((entry) => entry.provider).slice(0, 2)).toEqual([PARENT, SIBLING]);
    expect(plain.ranked.some((entry) => "avoided" in entry)).toBe(false);

    const { ranked, rejected } = scoreBids({ ...base, bids, avoidedProviders: [PARENT, SIBLING] });
    expect(rejected).toEqual([]);
    expect(ranked.map((entry) => [entry.rank, entry.provider, entry.avoided ?? false])).toEqual([
      [
        1,
        plain.ranked.find((entry) => entry.provider !== PARENT && entry.provider !== SIBLING)!.provider,
        false,
      ],
      [2, expect.any(String), false],
      [3, PARENT, true],
      [4, SIBLING, true],
    ]);
    // Among themselves each group keeps its score order.
    expect(ranked[2]!.total).toBeGreaterThanOrEqual(ranked[3]!.total);
    expect(ranked[0]!.total).toBeGreaterThanOrEqual(ranked[1]!.total);
  });

  it("are still chosen when no other bid exists", () => {
    const { ranked } = scoreBids({ ...base, bids: [bid(PARENT, "10")], avoidedProviders: [PARENT] });
    expect(ranked).toMatchObject([{ rank: 1, provider: PARENT, avoided: true }]);
  });

  it("never put an avoided bid before a bid that is not avoided (any bids, any avoid list)", () => {
    const providers = [PARENT, SIBLING, OTHER, FAR];
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...providers), { minLength: 1 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 4, maxLength: 4 }),
        fc.subarray(providers),
        (present, prices, avoid) => {
          const { ranked } = scoreBids({
            ...base,
            bids: present.map((provider, i) => bid(provider, String(prices[i]))),
            avoidedProviders: avoid,
          });
          const flags = ranked.map((entry) => avoid.includes(entry.provider));
          expect(flags).toEqual([...flags].sort((a, b) => Number(a) - Number(b)));
          expect(ranked.map((entry) => entry.avoided === true)).toEqual(flags);
        },
      ),
    );
  });

  it("refuse a malformed list, naming it", () => {
    expect(() => scoreBids({ ...base, avoidedProviders: [1 as unknown as string] })).toThrow(
      DomainInputError,
    );
    expect(() => scoreBids({ ...base, avoidedProviders: [1 as unknown as string] })).toThrow(
      /avoidedProviders/,
    );
  });
});
