import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { DEFAULT_MARKET_PARAMS, type MarketParams, simulate } from "../../../src/simulation/index.js";

const config = configSchema.parse({});

/** A market where something goes wrong with most providers every day. */
const troubled: MarketParams = {
  ...DEFAULT_MARKET_PARAMS,
  bands: DEFAULT_MARKET_PARAMS.bands.map((band) => ({
    ...band,
    outagesPer30Days: band.outagesPer30Days * 25,
    degradedPer30Days: band.degradedPer30Days * 25,
  })),
  massClosurePer90Days: 20,
  darkPer90Days: 20,
  reclaimingShare: 1,
  reclaimsPer90Days: 30,
};

describe("simulate", () => {
  it("gives the same report for the same seed, and another for another seed", async () => {
    const first = await simulate({ days: 5, providers: 30, seed: 11, config });
    const again = await simulate({ days: 5, providers: 30, seed: 11, config });
    const other = await simulate({ days: 5, providers: 30, seed: 12, config });
    expect(again.report).toEqual(first.report);
    expect(other.report).not.toEqual(first.report);
    const { report } = first;
    expect(Object.keys(report)).toEqual(["days", "seed", "policy", "baselines"]);
    for (const figures of [report.policy, report.baselines.cheapest, report.baselines.neverMigrate]) {
      expect(Object.keys(figures)).toEqual(["availability", "costUact", "migrations", "incidents"]);
      expect(figures.availability).toBeGreaterThan(0);
      expect(figures.availability).toBeLessThanOrEqual(1);
      expect(figures.costUact).toMatch(/^[1-9][0-9]*$/);
    }
  });

  it("moves off troubled providers where never-migrate waits, and pays no more than the market asks", async () => {
    const { report, outcomes } = await simulate({
      days: 3,
      providers: 20,
      seed: 3,
      config,
      params: troubled,
    });
    expect(report.policy.migrations).toBeGreaterThan(0);
    expect(report.policy.availability).toBeGreaterThan(report.baselines.neverMigrate.availability);
    // The lease's alerts (e.g. "Lease closed") reach the world through the host.
    expect(Object.values(outcomes).some((outcome) => outcome.alerts > 0)).toBe(true);
    for (const outcome of Object.values(outcomes)) {
      expect(outcome.upMs + outcome.downMs).toBe(3 * 86_400_000);
      // Every lease is billed at most the order's max price for every block of the run, twice over
      // (a make-before-break move holds two leases for a while).
      expect(outcome.costUact).toBeLessThan((2 * 348 * 3 * 86_400) / 6.1);
    }
  });

  it("reports the same figures whether or not it skips the health checks that cannot find anything", async () => {
    const options = { days: 1, providers: 15, seed: 5, config, params: troubled };
    const skipping = await simulate(options);
    const checkingAll = await simulate({ ...options, skipQuietChecks: false });
    expect(skipping.report).toEqual(checkingAll.report);
    expect(skipping.report.policy.migrations + skipping.report.policy.incidents).toBeGreaterThan(0);
  }, 60_000);
});
