import type { MarketParams, ReliabilityBand } from "./market-params.js";
import { SeededRandom } from "./seeded-random.js";

export const DAY_MS = 86_400_000;
/** The Console's uptime30d needs a month of history before the run starts. */
export const HISTORY_DAYS = 30;

export interface Interval {
  start: number;
  end: number;
}

/** A node or control-plane failure: the workloads there stop at `at`; the provider closes their leases later. */
export interface NodeFailure {
  at: number;
  closeAfterMs: number;
}

export interface Reclaim {
  at: number;
  windowMs: number;
}

/** One simulated provider and everything it will do over the run, drawn from the seed up front. */
export interface SimProvider {
  address: string;
  region: string;
  audited: boolean;
  band: ReliabilityBand["name"];
  /** Price multiplier on the default target, per day from `-HISTORY_DAYS` (index 0) to the end. */
  dailyMultipliers: number[];
  /** Unreachable spells (its gateway and workloads cannot be reached), sorted. */
  outages: Interval[];
  /** Slow or failing status spells; its workloads still serve. */
  degraded: Interval[];
  nodeFailures: NodeFailure[];
  reclaims: Reclaim[];
  /** From then on the provider is gone for good (its leases stay open on chain and keep billing). */
  darkAt: number | null;
}

export interface Market {
  seed: number;
  days: number;
  endMs: number;
  params: MarketParams;
  /** The script-default price of the simulated deployment, uact per block. */
  targetPricePerBlock: number;
  providers: SimProvider[];
}

export interface MarketBid {
  provider: string;
  /** uact per block, as a decimal string (3 places). */
  priceUact: string;
  /** When the bid is on chain. */
  at: number;
}

/** What the deployment asks for, to price it at the providers' default targets. */
export interface PricedResources {
  cpuUnits: number;
  memoryGi: number;
  ephemeralGi: number;
  persistentGi: number;
  endpoints: number;
}

export function targetPricePerBlock(resources: PricedResources, params: MarketParams): number {
  const rates = params.targetRates;
  return (
    resources.cpuUnits * rates.cpu +
    resources.memoryGi * rates.memoryGi +
    resources.ephemeralGi * rates.ephemeralGi +
    resources.persistentGi * rates.persistentGi +
    resources.endpoints * rates.endpoint
  );
}

function pickBand(random: SeededRandom, bands: readonly ReliabilityBand[]): ReliabilityBand {
  let roll = random.next();
  for (const band of bands) {
    if (roll < band.share) return band;
    roll -= band.share;
  }
  return bands[bands.length - 1] as ReliabilityBand;
}

function pickRegion(random: SeededRandom, regions: MarketParams["regions"]): string {
  let roll = random.next();
  for (const entry of regions) {
    if (roll < entry.share) return entry.region;
    roll -= entry.share;
  }
  return (regions[regions.length - 1] as { region: string }).region;
}

function baseMultiplier(random: SeededRandom, params: MarketParams): number {
  const roll = random.next();
  if (roll < params.nearZeroShare) return random.between(...params.nearZeroMultiplier);
  if (roll < params.nearZeroShare + params.legacyShare) return random.between(...params.legacyMultiplier);
  return random.logNormal(0, params.priceSigma);
}

/** `count` spells placed uniformly in [from, to), each with an exponential length up to `maxMs`, merged. */
function spells(
  random: SeededRandom,
  count: number,
  from: number,
  to: number,
  meanMs: number,
  maxMs: number,
) {
  const drawn: Interval[] = [];
  for (let index = 0; index < count; index++) {
    const start = Math.round(random.between(from, to));
    const length = Math.max(60_000, Math.min(maxMs, Math.round(random.exponential(meanMs))));
    drawn.push({ start, end: start + length });
  }
  return mergedIntervals(drawn);
}

/** The spells in time order, overlapping ones joined into one. */
export function mergedIntervals(drawn: readonly Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const spell of [...drawn].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && spell.start <= last.end) last.end = Math.max(last.end, spell.end);
    else merged.push({ ...spell });
  }
  return merged;
}

function generateProvider(seed: number, index: number, days: number, params: MarketParams): SimProvider {
  const random = SeededRandom.stream(seed, "provider", index);
  const from = -HISTORY_DAYS * DAY_MS;
  const end = days * DAY_MS;
  const spanDays = HISTORY_DAYS + days;
  const band = pickBand(random, params.bands);
  const region = pickRegion(random, params.regions);
  const audited = random.chance(params.auditedShare);
  const base = baseMultiplier(random, params);
  const dailyMultipliers: number[] = [];
  let walk = 0;
  for (let day = 0; day <= spanDays; day++) {
    dailyMultipliers.push(base * Math.exp(walk));
    walk += params.priceWalkDailySigma * random.normal();
  }
  const outages = spells(
    random,
    random.poisson((band.outagesPer30Days * spanDays) / 30),
    from,
    end,
    params.outageMeanMs,
    params.outageMaxMs,
  );
  const degraded = spells(
    random,
    random.poisson((band.degradedPer30Days * spanDays) / 30),
    from,
    end,
    params.degradedMeanMs,
    4 * params.degradedMeanMs,
  );
  const nodeFailures: NodeFailure[] = [];
  const failureCount = random.poisson((params.massClosurePer90Days * days) / 90);
  for (let count = 0; count < failureCount; count++) {
    nodeFailures.push({
      at: Math.round(random.between(0, end)),
      closeAfterMs: random.pick(params.closeAfterChoicesMs),
    });
  }
  nodeFailures.sort((a, b) => a.at - b.at);
  const reclaims: Reclaim[] = [];
  if (random.chance(params.reclaimingShare)) {
    const reclaimCount = random.poisson((params.reclaimsPer90Days * days) / 90);
    for (let count = 0; count < reclaimCount; count++) {
      reclaims.push({
        at: Math.round(random.between(0, end)),
        windowMs: Math.round(random.between(...params.reclaimWindowMs)),
      });
    }
    reclaims.sort((a, b) => a.at - b.at);
  }
  const darkAt = random.chance((params.darkPer90Days * days) / 90)
    ? Math.round(random.between(0, end))
    : null;
  return {
    address: `akash1simprovider${String(index).padStart(4, "0")}`,
    region,
    audited,
    band: band.name,
    dailyMultipliers,
    outages,
    degraded,
    nodeFailures,
    reclaims,
    darkAt,
  };
}

/** The whole market for a run, drawn from the seed: the same seed always gives the same providers and events. */
export function generateMarket(options: {
  seed: number;
  days: number;
  providers: number;
  params: MarketParams;
  targetPricePerBlock: number;
}): Market {
  const providers: SimProvider[] = [];
  for (let index = 0; index < options.providers; index++) {
    providers.push(generateProvider(options.seed, index, options.days, options.params));
  }
  return {
    seed: options.seed,
    days: options.days,
    endMs: options.days * DAY_MS,
    params: options.params,
    targetPricePerBlock: options.targetPricePerBlock,
    providers,
  };
}

const covers = (spells: readonly Interval[], at: number) =>
  spells.some((spell) => spell.start <= at && at < spell.end);

export function isDark(provider: SimProvider, at: number): boolean {
  return provider.darkAt !== null && at >= provider.darkAt;
}

/** The provider's gateway (and so its workloads) answer at `at`. */
export function isReachable(provider: SimProvider, at: number): boolean {
  return !isDark(provider, at) && !covers(provider.outages, at);
}

export function isDegraded(provider: SimProvider, at: number): boolean {
  return covers(provider.degraded, at);
}

/** A node failure is under way: workloads cannot run there until the provider has closed the leases. */
export function hasFailedNode(provider: SimProvider, at: number): boolean {
  return provider.nodeFailures.some((failure) => failure.at <= at && at < failure.at + failure.closeAfterMs);
}

export function priceMultiplier(provider: SimProvider, at: number): number {
  const day = Math.floor(at / DAY_MS) + HISTORY_DAYS;
  const clamped = Math.max(0, Math.min(provider.dailyMultipliers.length - 1, day));
  return provider.dailyMultipliers[clamped] as number;
}

/** Uptime over the `windowMs` before `at`, as the Console computes it: 1 − offline time ÷ window. */
export function uptimeOver(provider: SimProvider, at: number, windowMs: number): number {
  const from = at - windowMs;
  let offline = 0;
  for (const spell of provider.outages) {
    offline += Math.max(0, Math.min(spell.end, at) - Math.max(spell.start, from));
  }
  if (provider.darkAt !== null) offline += Math.max(0, at - Math.max(provider.darkAt, from));
  return Math.max(0, 1 - Math.min(offline, windowMs) / windowMs);
}

/**
 * The bids an order opened at `at` receives: 3–15 of the providers online then, each at its current
 * price with a little noise, none above the order's max price, at most 20. Drawn from the minute the
 * order opened, so every strategy opening an order in the same minute sees the same bids.
 */
export function bidsForOrder(market: Market, at: number, maxPriceUact: number): MarketBid[] {
  const { params } = market;
  const random = SeededRandom.stream(market.seed, "bids", Math.floor(at / 60_000));
  const online = market.providers.filter((provider) => isReachable(provider, at));
  const count = Math.min(params.maxBidsPerOrder, random.integer(...params.biddersPerOrder));
  const bidders = random.sample(online, count);
  const bids: MarketBid[] = [];
  for (const provider of bidders) {
    const noise = 1 + random.between(-params.bidNoise, params.bidNoise);
    const delayMs = Math.round(random.between(...params.bidDelaySeconds) * 1000);
    const price = Math.max(0.001, market.targetPricePerBlock * priceMultiplier(provider, at) * noise);
    // The provider's pricing script does not bid on an order whose max price is under its target (§2).
    if (price > maxPriceUact) continue;
    bids.push({ provider: provider.address, priceUact: price.toFixed(3), at: at + delayMs });
  }
  return bids.sort((a, b) => a.at - b.at || (a.provider < b.provider ? -1 : 1));
}
