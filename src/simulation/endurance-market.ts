import { DAY_MS, HISTORY_DAYS, type Interval, type Market, mergedIntervals } from "./market-model.js";
import type { MarketParams } from "./market-params.js";
import { SeededRandom } from "./seeded-random.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** What the endurance run adds to the market simulator's model (issue 17, "Endurance"). */
export interface EnduranceFaults {
  /** Chance per provider per day of a node failure that ends its leases (the issue: 5 %/day). */
  providerFailuresPerDay: number;
  /** Chance per provider per day that its price triples (a spike, for `spikeDays`). */
  priceSpikesPerDay: number;
  spikeMultiplier: number;
  spikeDays: [number, number];
  /** Akash RPC/gRPC outages (the chain unreadable and no transaction lands), per day, family-wide. */
  rpcOutagesPerDay: number;
  /** Outage length: exponential with this mean, between `rpcOutageMinMs` and `rpcOutageMaxMs`. */
  rpcOutageMeanMs: number;
  rpcOutageMinMs: number;
  rpcOutageMaxMs: number;
  /** Share of the providers offering a reclamation window, and reclaims per such provider per 90 days. */
  reclaimingShare: number;
  reclaimsPer90Days: number;
}

export const DEFAULT_ENDURANCE_FAULTS: EnduranceFaults = {
  providerFailuresPerDay: 0.05,
  priceSpikesPerDay: 0.02,
  spikeMultiplier: 3,
  spikeDays: [1, 3],
  rpcOutagesPerDay: 0.25,
  rpcOutageMeanMs: 30 * MINUTE_MS,
  rpcOutageMinMs: 2 * MINUTE_MS,
  rpcOutageMaxMs: 4 * HOUR_MS,
  reclaimingShare: 0.5,
  reclaimsPer90Days: 1,
};

/** The market simulator's parameters with the endurance run's provider failures and reclaims. */
export function enduranceParams(base: MarketParams, faults: EnduranceFaults): MarketParams {
  return {
    ...base,
    massClosurePer90Days: faults.providerFailuresPerDay * 90,
    reclaimingShare: faults.reclaimingShare,
    reclaimsPer90Days: faults.reclaimsPer90Days,
  };
}

/** A price spike: the provider's price is `multiplier`× from day `fromDay` (inclusive) to `toDay` (exclusive). */
export interface PriceSpike {
  provider: string;
  fromDay: number;
  toDay: number;
  multiplier: number;
}

/**
 * Triples (by `spikeMultiplier`) a provider's daily price for a few days at random, drawn from the
 * seed; returns the spikes. Bids follow the provider's daily price; a lease keeps its price for life.
 */
export function addPriceSpikes(market: Market, faults: EnduranceFaults): PriceSpike[] {
  const spikes: PriceSpike[] = [];
  market.providers.forEach((provider, index) => {
    const random = SeededRandom.stream(market.seed, "spike", index);
    const count = random.poisson(faults.priceSpikesPerDay * market.days);
    for (let spike = 0; spike < count; spike++) {
      const fromDay = random.integer(0, market.days - 1);
      const toDay = Math.min(market.days, fromDay + random.integer(...faults.spikeDays));
      spikes.push({ provider: provider.address, fromDay, toDay, multiplier: faults.spikeMultiplier });
      for (let day = fromDay; day < toDay; day++) {
        const slot = day + HISTORY_DAYS;
        const current = provider.dailyMultipliers[slot];
        if (current !== undefined) provider.dailyMultipliers[slot] = current * faults.spikeMultiplier;
      }
    }
  });
  return spikes.sort((a, b) => a.fromDay - b.fromDay || (a.provider < b.provider ? -1 : 1));
}

/** The Akash RPC outages of the run (one chain, so one list for the family), sorted and merged. */
export function rpcOutages(seed: number, days: number, faults: EnduranceFaults): Interval[] {
  const random = SeededRandom.stream(seed, "rpc-outages");
  const count = random.poisson(faults.rpcOutagesPerDay * days);
  const drawn: Interval[] = [];
  for (let index = 0; index < count; index++) {
    const start = Math.round(random.between(0, days * DAY_MS));
    const length = Math.min(
      faults.rpcOutageMaxMs,
      Math.max(faults.rpcOutageMinMs, Math.round(random.exponential(faults.rpcOutageMeanMs))),
    );
    drawn.push({ start, end: start + length });
  }
  return mergedIntervals(drawn);
}
