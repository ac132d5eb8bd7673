import { describe, expect, it } from "vitest";
import {
  bidsForOrder,
  DAY_MS,
  generateMarket,
  isReachable,
  targetPricePerBlock,
  uptimeOver,
} from "../../../src/simulation/market-model.js";
import { DEFAULT_MARKET_PARAMS } from "../../../src/simulation/market-params.js";
import { SeededRandom } from "../../../src/simulation/seeded-random.js";
import { SimulationClock } from "../../../src/simulation/simulation-clock.js";

const market = (seed: number, providers = 50, days = 30) =>
  generateMarket({ seed, days, providers, params: DEFAULT_MARKET_PARAMS, targetPricePerBlock: 22 });

describe("seeded randomness", () => {
  it("gives the same stream for the same seed and label, and another for another label", () => {
    const draw = (random: SeededRandom) => Array.from({ length: 5 }, () => random.next());
    expect(draw(SeededRandom.stream(7, "a"))).toEqual(draw(SeededRandom.stream(7, "a")));
    expect(draw(SeededRandom.stream(7, "a"))).not.toEqual(draw(SeededRandom.stream(7, "b")));
    expect(draw(SeededRandom.stream(7, "a"))).not.toEqual(draw(SeededRandom.stream(8, "a")));
  });

  it("draws uniform numbers in [0, 1) with the mean of a uniform distribution", () => {
    const random = new SeededRandom(1);
    const draws = Array.from({ length: 20_000 }, () => random.next());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });
});

describe("the simulated market", () => {
  it("is the same for the same seed and differs for another", () => {
    expect(market(1)).toEqual(market(1));
    expect(market(2).providers).not.toEqual(market(1).providers);
  });

  it("prices the deployment at the providers' script defaults (reference/akash-market-facts.md §2)", () => {
    // 1 vCPU + 2 GiB + 10 GiB ephemeral + 1 endpoint ≈ 8.0 uact/block, the facts' worked example.
    const price = targetPricePerBlock(
      { cpuUnits: 1, memoryGi: 2, ephemeralGi: 10, persistentGi: 0, endpoints: 1 },
      DEFAULT_MARKET_PARAMS,
    );
    expect(price).toBeCloseTo(8.0, 1);
  });

  it("draws reliability bands and price multipliers near the facts' shares", () => {
    const providers = market(3, 2000, 1).providers;
    const share = (band: string) => providers.filter((provider) => provider.band === band).length / 2000;
    expect(share("green")).toBeGreaterThan(0.6);
    expect(share("green")).toBeLessThan(0.7);
    expect(share("red")).toBeGreaterThan(0.12);
    expect(share("red")).toBeLessThan(0.18);
    const firstDay = providers
      .map((provider) => provider.dailyMultipliers[0] as number)
      .sort((a, b) => a - b);
    const median = firstDay[1000] as number;
    expect(median).toBeGreaterThan(0.9);
    expect(median).toBeLessThan(1.35);
  });

  it("gives each order 3–15 bids from providers online then, at or under the max price, in arrival order", () => {
    const drawn = market(4);
    for (let minute = 0; minute < 200; minute++) {
      const at = minute * 7 * 60_000;
      const bids = bidsForOrder(drawn, at, 1_000);
      expect(bids.length).toBeLessThanOrEqual(15);
      for (const bid of bids) {
        const provider = drawn.providers.find((entry) => entry.address === bid.provider);
        expect(provider && isReachable(provider, at)).toBe(true);
        expect(bid.at).toBeGreaterThan(at);
      }
      expect(bids.map((bid) => bid.at)).toEqual([...bids.map((bid) => bid.at)].sort((a, b) => a - b));
      // A low max price keeps the expensive providers out.
      for (const bid of bidsForOrder(drawn, at, 15)) expect(Number(bid.priceUact)).toBeLessThanOrEqual(15);
    }
    expect(bidsForOrder(drawn, 12_345_678, 1_000)).toEqual(bidsForOrder(drawn, 12_345_678, 1_000));
  });

  it("measures uptime as the Console does: 1 − offline time ÷ window", () => {
    const provider = {
      ...market(5, 1).providers[0]!,
      outages: [{ start: -2 * 3_600_000, end: -3_600_000 }],
      darkAt: null,
    };
    expect(uptimeOver(provider, 0, DAY_MS)).toBeCloseTo(1 - 1 / 24, 6);
    expect(uptimeOver(provider, 0, 3_600_000)).toBe(1);
    const dark = { ...provider, outages: [], darkAt: -6 * 3_600_000 };
    expect(uptimeOver(dark, 0, DAY_MS)).toBeCloseTo(0.75, 6);
    expect(isReachable(dark, 0)).toBe(false);
  });
});

describe("the simulation clock", () => {
  it("fires entries in time order (same time: scheduling order) and reports each skipped span", async () => {
    const clock = new SimulationClock(0);
    const fired: string[] = [];
    clock.schedule(50, () => fired.push("b"));
    clock.schedule(10, () => {
      fired.push("a");
      clock.schedule(50, () => fired.push("c"));
    });
    const cancelled = clock.schedule(20, () => fired.push("never"));
    cancelled.cancel();
    const spans: [number, number][] = [];
    await clock.runUntil(100, (from, to) => spans.push([from, to]));
    expect(fired).toEqual(["a", "b", "c"]);
    expect(spans).toEqual([
      [0, 10],
      [10, 50],
      [50, 100],
    ]);
    expect(clock.now()).toBe(100);
  });

  it("settles a promise when its time comes, after the actors' reactions to earlier ones", async () => {
    const clock = new SimulationClock(0);
    const order: number[] = [];
    void clock.when(30, () => 30).then((at) => order.push(at));
    void clock
      .when(10, () => 10)
      .then((at) => {
        order.push(at);
        void clock.when(20, () => 20).then((next) => order.push(next));
      });
    await clock.runUntil(40, () => {});
    expect(order).toEqual([10, 20, 30]);
  });
});
