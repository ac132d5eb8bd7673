import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BidCandidate,
  DEFAULT_SCORING_WEIGHTS,
  DomainInputError,
  type ScoringInput,
  scoreBids,
} from "../../../src/domain/index.js";
import { address } from "./fixtures.js";

const AUDITOR = address("a");
const P1 = address("p");
const P2 = address("z");
const P3 = address("r");

const uptime = (d1: number | null, d30: number | null, isOnline = true) => ({
  uptime1d: d1,
  uptime7d: d1,
  uptime30d: d30,
  isOnline,
});

function bid(provider: string, price: string, extra: Partial<BidCandidate> = {}): BidCandidate {
  return { provider, price, denom: "uact", attributes: [], ...extra };
}

const region = (value: string, auditedBy: string[] = []) => ({ key: "location-region", value, auditedBy });

const base: ScoringInput = {
  bids: [],
  maxPricePerBlock: "100",
  auditors: [AUDITOR],
  family: [],
  excludedProviders: [],
};

describe("scoreBids", () => {
  const bids = [
    bid(P1, "50", { attributes: [region("na-us-west", [AUDITOR])], uptime: uptime(1, 1) }),
    bid(P2, "40", { attributes: [region("eu-central")] }),
    bid(P3, "100", {
      uptime: uptime(0.95, 0.99),
      history: { leases: 4, successes: 3, failures: 1, measuredUptime: null },
    }),
  ];

  it("ranks bids with each dimension's points", () => {
    const { ranked, rejected } = scoreBids({ ...base, bids });
    expect(rejected).toEqual([]);
    expect(ranked).toEqual([
      {
        rank: 1,
        provider: P1,
        price: "50",
        region: "na-us-west",
        audited: true,
        // price 40 × 40/50; uptime full; reputation ½·½ + ¼ + ¼; new provider in a new region
        breakdown: { price: 32, uptime: 30, reputation: 15, diversity: 10 },
        total: 87,
      },
      {
        rank: 2,
        provider: P2,
        price: "40",
        region: "eu-central",
        audited: false,
        // cheapest; no uptime data → neutral half; not audited
        breakdown: { price: 40, uptime: 15, reputation: 10, diversity: 10 },
        total: 75,
      },
      {
        rank: 3,
        provider: P3,
        price: "100",
        region: null,
        audited: false,
        // a bid at exactly the max price still scores; 95%/99% uptime; 3 of 4 leases fine, 1 failure
        breakdown: { price: 16, uptime: 19, reputation: 10.67, diversity: 5 },
        total: 50.67,
      },
    ]);
  });

  it("reports why each dropped bid was dropped", () => {
    const { ranked, rejected } = scoreBids({
      ...base,
      excludedProviders: [address("x")],
      bids: [
        bid(address("x"), "10"),
        bid(address("y"), "10", { denom: "uakt" }),
        bid(address("w"), "100.000000000000000001"),
        bid(address("v"), "0"),
        bid(address("u"), "ten"),
        bid(address("t"), "10", { uptime: uptime(0.99, 0.99, false) }),
        bid(address("s"), "10", { uptime: uptime(1.5, 0.99) }),
        bid(address("s"), "10", { uptime: uptime(1.5, 0.99) }),
        bid(address("n"), "30"),
        bid(address("n"), "20"),
        bid(address("m"), "100"),
      ],
    });
    expect(ranked.map((entry) => [entry.provider, entry.price])).toEqual([[address("m"), "100"]]);
    expect(rejected.map((entry) => [entry.provider, entry.price, entry.reason])).toEqual([
      [address("n"), "20", "duplicate"],
      [address("n"), "30", "duplicate"],
      [address("s"), "10", "invalid-data"],
      [address("s"), "10", "invalid-data"],
      [address("t"), "10", "offline"],
      [address("u"), "ten", "invalid-price"],
      [address("v"), "0", "invalid-price"],
      [address("w"), "100.000000000000000001", "above-max-price"],
      [address("x"), "10", "excluded"],
      [address("y"), "10", "wrong-denom"],
    ]);
    const detail = (provider: string) => rejected.find((entry) => entry.provider === provider)?.detail;
    expect(detail(address("w"))).toBe("100.000000000000000001 uact per block is above the max of 100");
    expect(detail(address("s"))).toBe("provider data: uptime.uptime1d = 1.5: must be a number from 0 to 1");
    expect(detail(address("y"))).toBe("priced in uakt, deployments are priced in uact");
    expect(detail(address("n"))).toBe("the provider sent 2 bids; the chain allows one per order");
  });

  it("counts an attribute as audited only when a trusted auditor signed it", () => {
    const signedBy = (auditor: string) => bid(P1, "10", { attributes: [region("na", [auditor])] });
    expect(scoreBids({ ...base, bids: [signedBy(address("e"))] }).ranked[0]?.audited).toBe(false);
    expect(scoreBids({ ...base, bids: [signedBy(AUDITOR)] }).ranked[0]?.audited).toBe(true);
    expect(scoreBids({ ...base, auditors: [], bids: [signedBy(AUDITOR)] }).ranked[0]?.audited).toBe(false);
  });

  it("prefers providers and regions the family does not use yet", () => {
    const family = [
      { provider: P1, region: "na-us-west" },
      { provider: address("k"), region: "na-us-west" },
      { provider: address("h"), region: "eu-central" },
      { provider: address("c"), region: null },
    ];
    const { ranked } = scoreBids({
      ...base,
      family,
      bids: [
        bid(P1, "10", { attributes: [region("na-us-west")] }),
        bid(P2, "10", { attributes: [region("na-us-west")] }),
        bid(P3, "10", { attributes: [region("ap-southeast")] }),
        bid(address("e"), "10", { attributes: [region("eu-central")] }),
      ],
    });
    const diversity = Object.fromEntries(ranked.map((entry) => [entry.provider, entry.breakdown.diversity]));
    expect(diversity).toEqual({
      [P1]: 2.5, // used by the family; region holds 2 of 4 agents
      [P2]: 7.5, // new provider; same region share
      [P3]: 10, // new provider, new region
      [address("e")]: 8.75, // new provider, region holds 1 of 4
    });
    expect(ranked[0]?.provider).toBe(P3);
  });

  it("scores a provider we never used above one that failed us", () => {
    const { ranked } = scoreBids({
      ...base,
      bids: [
        bid(P1, "10"),
        bid(P2, "10", { history: { leases: 5, successes: 0, failures: 5, measuredUptime: 0.5 } }),
      ],
    });
    const reputation = Object.fromEntries(
      ranked.map((entry) => [entry.provider, entry.breakdown.reputation]),
    );
    expect(reputation[P1]).toBe(10);
    expect(reputation[P2]).toBeCloseTo(20 * (0.5 * (1 / 7)), 2);
    expect(ranked.map((entry) => entry.provider)).toEqual([P1, P2]);
  });

  it("breaks ties by price, then by address", () => {
    const { ranked } = scoreBids({
      ...base,
      weights: { price: 0, uptime: 1, reputation: 0, diversity: 0 },
      bids: [bid(P2, "20"), bid(P3, "10"), bid(P1, "20")],
    });
    expect(ranked.map((entry) => entry.provider)).toEqual(
      [P3, P1, P2].sort((a, b) => (a === P3 ? -1 : b === P3 ? 1 : a < b ? -1 : 1)),
    );
    expect(ranked.map((entry) => entry.total)).toEqual([0.5, 0.5, 0.5]);
  });

  it("uses the weights as the points of each dimension", () => {
    const { ranked } = scoreBids({
      ...base,
      weights: { price: 100, uptime: 0, reputation: 0, diversity: 0 },
      bids: [bid(P1, "25"), bid(P2, "50")],
    });
    expect(ranked.map((entry) => entry.total)).toEqual([100, 50]);
  });

  it("rejects bad arguments with the field named", () => {
    const zero = { price: 0, uptime: 0, reputation: 0, diversity: 0 };
    expect(() => scoreBids({ ...base, weights: zero })).toThrow("at least one weight must be above 0");
    expect(() => scoreBids({ ...base, weights: { ...DEFAULT_SCORING_WEIGHTS, uptime: -1 } })).toThrow(
      "weights.uptime = -1",
    );
    expect(() => scoreBids({ ...base, maxPricePerBlock: "0" })).toThrow(DomainInputError);
    expect(() => scoreBids({ ...base, maxPricePerBlock: "-5" })).toThrow("maxPricePerBlock");
    expect(() => scoreBids({ ...base, family: [{ provider: P1 }] as never })).toThrow("family[0]");
  });

  it("returns an empty ranking rather than throwing when nothing is acceptable", () => {
    const result = scoreBids({ ...base, bids: [bid(P1, "500")] });
    expect(result.ranked).toEqual([]);
    expect(result.rejected[0]?.reason).toBe("above-max-price");
  });

  const arbitraryBid = fc.record({
    provider: fc.constantFrom(...["q", "p", "z", "r", "y", "9", "x"].map(address)),
    price: fc.oneof(
      fc.constantFrom("10", "25.5", "50"),
      fc.integer({ min: 0, max: 200_000 }).map((milli) => (milli / 1000).toString()),
    ),
    denom: fc.constantFrom("uact", "uact", "uact", "uakt"),
    attributes: fc.array(
      fc.record({
        key: fc.constantFrom("location-region", "tier", "host"),
        value: fc.constantFrom("na", "eu", "ap"),
        auditedBy: fc.array(fc.constantFrom(AUDITOR, address("e")), { maxLength: 2 }),
      }),
      { maxLength: 3 },
    ),
    uptime: fc.option(
      fc.record({
        uptime1d: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        uptime7d: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        uptime30d: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        isOnline: fc.boolean(),
      }),
    ),
    history: fc.option(
      fc
        .record({ successes: fc.nat(50), failures: fc.nat(50), extra: fc.nat(5) })
        .chain(({ successes, failures, extra }) =>
          fc.record({
            leases: fc.constant(successes + failures + extra),
            successes: fc.constant(successes),
            failures: fc.constant(failures),
            measuredUptime: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
          }),
        ),
    ),
  });
  const family = fc.array(
    fc.record({
      provider: fc.constantFrom(address("q"), address("k")),
      region: fc.constantFrom("na", "eu", null),
    }),
    { maxLength: 4 },
  );

  it("keeps every dimension within its weight and accounts for every bid", () => {
    fc.assert(
      fc.property(fc.array(arbitraryBid, { maxLength: 8 }), family, (bids, fam) => {
        const result = scoreBids({ ...base, bids, family: fam });
        expect(result.ranked.length + result.rejected.length).toBe(bids.length);
        for (const entry of result.ranked) {
          for (const key of ["price", "uptime", "reputation", "diversity"] as const) {
            expect(entry.breakdown[key]).toBeGreaterThanOrEqual(0);
            expect(entry.breakdown[key]).toBeLessThanOrEqual(DEFAULT_SCORING_WEIGHTS[key]);
          }
          expect(entry.total).toBeLessThanOrEqual(100);
          expect(Number(entry.price)).toBeLessThanOrEqual(100);
        }
        expect(new Set(result.ranked.map((entry) => entry.provider)).size).toBe(result.ranked.length);
        if (result.ranked.length > 0) expect(result.ranked[0]?.rank).toBe(1);
      }),
    );
  });

  it("gives the same answer for any order of the bids and never mutates its input", () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryBid, { maxLength: 8 }),
        family,
        fc.infiniteStream(fc.nat()),
        (bids, fam, seeds) => {
          const input: ScoringInput = { ...base, bids, family: fam };
          const frozen = structuredClone(input);
          const shuffled = bids
            .map((entry) => ({ entry, order: seeds.next().value as number }))
            .sort((a, b) => a.order - b.order)
            .map(({ entry }) => entry);
          expect(scoreBids({ ...input, bids: shuffled })).toEqual(scoreBids(input));
          expect(input).toEqual(frozen);
        },
      ),
    );
  });
});
