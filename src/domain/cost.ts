import { type DailyBudget, maxPricePerBlockUact, uactToUsd } from "./budget.js";
import { BLOCKS_PER_DAY, BLOCKS_PER_MONTH } from "./chain-units.js";
import { DecAmount, type DecimalInput } from "./dec-amount.js";
import { requirePositive } from "./input-checks.js";
import { MIN_RESOURCES, RESOURCE_LIMITS, type Resources, validateResources } from "./resources.js";
import {
  deploymentProfiles,
  type ServiceName,
  type ServiceProfile,
  totalStorageGi,
} from "./service-profiles.js";

/**
 * The design notes' cost calculator, in uact. Amounts are exact decimals (DecAmount: bigint at
 * 10^-18, LegacyDec precision) and leave as DecCoin-style strings, because per-block prices are
 * fractional on Akash ("0.2" uact per GiB per block is an ordinary rate). USD figures are numbers.
 */

/** Market rates, each in uact per block. */
export interface ResourceRates {
  readonly cpuPerUnit: DecimalInput;
  readonly memoryPerGi: DecimalInput;
  readonly storagePerGi: DecimalInput;
  /** Charged once per deployment, for its endpoints. */
  readonly networkBase: DecimalInput;
}

/**
 * Defaults in the range Akash providers' stock bid-pricing script targets, at 1 ACT = 1 USD and
 * 432 000 blocks in 30 days: 10 uact/block ≈ $4.32 per cpu-month, 3 ≈ $1.30 per GiB-month of
 * memory, 0.2 ≈ $0.09 per GiB-month of storage, 1 ≈ $0.43 a month for the endpoints. With them the
 * smallest deployment costs ≈ $1.34/day and the largest ≈ $3.87/day, inside the notes' $3–6 target.
 */
export const DEFAULT_RESOURCE_RATES: ResourceRates = {
  cpuPerUnit: "10",
  memoryPerGi: "3",
  storagePerGi: "0.2",
  networkBase: "1",
};

interface Rates {
  readonly cpuPerUnit: DecAmount;
  readonly memoryPerGi: DecAmount;
  readonly storagePerGi: DecAmount;
  readonly networkBase: DecAmount;
}

export function parseRates(rates: ResourceRates): Rates {
  return {
    cpuPerUnit: DecAmount.parse("rates.cpuPerUnit", rates?.cpuPerUnit),
    memoryPerGi: DecAmount.parse("rates.memoryPerGi", rates?.memoryPerGi),
    storagePerGi: DecAmount.parse("rates.storagePerGi", rates?.storagePerGi),
    networkBase: DecAmount.parse("rates.networkBase", rates?.networkBase),
  };
}

interface CostParts {
  readonly cpu: DecAmount;
  readonly memory: DecAmount;
  readonly storage: DecAmount;
}

function profileCostParts(profile: ServiceProfile, rates: Rates): CostParts {
  const quantity = (value: number) => DecAmount.parse("profile", value);
  return {
    cpu: quantity(profile.cpuUnits).times(rates.cpuPerUnit),
    memory: quantity(profile.memoryGi).times(rates.memoryPerGi),
    storage: quantity(totalStorageGi(profile)).times(rates.storagePerGi),
  };
}

/** uact per block of one service's compute (without the deployment's network base). */
export function profileCost(profile: ServiceProfile, rates: Rates): DecAmount {
  const parts = profileCostParts(profile, rates);
  return parts.cpu.plus(parts.memory).plus(parts.storage);
}

function deploymentCost(relay: Resources, rates: Rates): DecAmount {
  return deploymentProfiles(relay).reduce(
    (sum, profile) => sum.plus(profileCost(profile, rates)),
    rates.networkBase,
  );
}

export interface ServiceCost {
  readonly service: ServiceName;
  readonly cpuUnits: number;
  readonly memoryGi: number;
  readonly storageGi: number;
  /** uact per block. */
  readonly perBlock: string;
}

export interface PeriodCost {
  readonly uact: string;
  readonly usd: number;
}

export interface CostEstimate {
  readonly services: readonly ServiceCost[];
  /** uact per block, by kind of resource, over all services. */
  readonly perBlock: {
    readonly cpu: string;
    readonly memory: string;
    readonly storage: string;
    readonly network: string;
    readonly total: string;
  };
  readonly perDay: PeriodCost;
  readonly perMonth: PeriodCost;
  /** The rates used, as decimal strings. */
  readonly rates: { readonly [K in keyof ResourceRates]: string };
}

export interface CostOptions {
  /** Price of 1 ACT in USD. */
  readonly actUsd: number;
  readonly rates?: ResourceRates;
}

/** What the whole deployment (agent-relay at `relay`, plus postgres and redis) costs. */
export function estimateCost(relay: Resources, options: CostOptions): CostEstimate {
  const size = validateResources("resources", relay);
  const actUsd = requirePositive("actUsd", options?.actUsd);
  const rates = parseRates(options.rates ?? DEFAULT_RESOURCE_RATES);
  let cpu = DecAmount.ZERO;
  let memory = DecAmount.ZERO;
  let storage = DecAmount.ZERO;
  const services = deploymentProfiles(size).map((profile): ServiceCost => {
    const parts = profileCostParts(profile, rates);
    cpu = cpu.plus(parts.cpu);
    memory = memory.plus(parts.memory);
    storage = storage.plus(parts.storage);
    return {
      service: profile.service,
      cpuUnits: profile.cpuUnits,
      memoryGi: profile.memoryGi,
      storageGi: totalStorageGi(profile),
      perBlock: parts.cpu.plus(parts.memory).plus(parts.storage).toString(),
    };
  });
  const total = cpu.plus(memory).plus(storage).plus(rates.networkBase);
  const period = (blocks: number): PeriodCost => {
    const uact = total.timesInteger(blocks);
    return { uact: uact.toString(), usd: uactToUsd(uact, actUsd) };
  };
  return {
    services,
    perBlock: {
      cpu: cpu.toString(),
      memory: memory.toString(),
      storage: storage.toString(),
      network: rates.networkBase.toString(),
      total: total.toString(),
    },
    perDay: period(BLOCKS_PER_DAY),
    perMonth: period(BLOCKS_PER_MONTH),
    rates: {
      cpuPerUnit: rates.cpuPerUnit.toString(),
      memoryPerGi: rates.memoryPerGi.toString(),
      storagePerGi: rates.storagePerGi.toString(),
      networkBase: rates.networkBase.toString(),
    },
  };
}

/**
 * How the budget left above the smallest deployment is shared between agent-relay's resources.
 * The notes split 60% cpu / 20% memory / 15% storage / 5% network; network is a fixed base here
 * (already paid before any surplus exists), so its 5% goes to storage.
 */
export const BUDGET_SHARES: { readonly [K in keyof Resources]: number } = {
  cpuUnits: 60,
  memoryGi: 20,
  storageGi: 20,
};

export interface BudgetPlan {
  readonly resources: Resources;
  /** The SDL's max price for this budget, whole uact per block. */
  readonly maxPricePerBlock: string;
  readonly estimate: CostEstimate;
  /** False when even the smallest deployment costs more than the budget. */
  readonly fitsBudget: boolean;
  /** uact per block missing to afford `resources` ("0" when it fits). */
  readonly shortfallPerBlock: string;
}

/** Grows agent-relay from its minimums by sharing `surplus` (uact per block) by BUDGET_SHARES. */
function growWithin(surplus: DecAmount, rates: Rates): Resources {
  const unitRate: { readonly [K in keyof Resources]: DecAmount } = {
    cpuUnits: rates.cpuPerUnit,
    memoryGi: rates.memoryPerGi,
    storageGi: rates.storagePerGi,
  };
  const size: { -readonly [K in keyof Resources]: number } = { ...MIN_RESOURCES };
  const keys = Object.keys(BUDGET_SHARES) as (keyof Resources)[];
  let left = surplus;
  for (let progressed = true; progressed; ) {
    progressed = false;
    const open = keys.filter((key) => size[key] < RESOURCE_LIMITS[key].max);
    const shareTotal = BigInt(open.reduce((sum, key) => sum + BUDGET_SHARES[key], 0));
    let spent = DecAmount.ZERO;
    for (const key of open) {
      const room = RESOURCE_LIMITS[key].max - size[key];
      const rate = unitRate[key];
      const share = DecAmount.fromAtto((left.atto * BigInt(BUDGET_SHARES[key])) / shareTotal);
      const units = rate.isZero() ? room : Math.min(room, Number(share.wholeMultiplesOf(rate)));
      if (units === 0) continue;
      size[key] += units;
      spent = spent.plus(rate.timesInteger(units));
      progressed = true;
    }
    left = left.minus(spent);
  }
  return size;
}

/**
 * The reverse calculation: the largest agent-relay size whose whole deployment stays within a daily
 * USD budget, inside RESOURCE_LIMITS. Starting from the minimums, the surplus is shared by
 * BUDGET_SHARES in whole units, again and again, until nothing more fits or every resource is at
 * its maximum; a resource whose rate is 0 goes straight to its maximum. When the minimums already
 * cost more than the budget, the minimums come back with `fitsBudget: false` and the shortfall
 * (the notes' version silently returned them as if they fitted).
 */
export function resourcesForBudget(budget: DailyBudget, options: { rates?: ResourceRates } = {}): BudgetPlan {
  const maxPrice = maxPricePerBlockUact(budget);
  const rateInput = options.rates ?? DEFAULT_RESOURCE_RATES;
  const rates = parseRates(rateInput);
  const available = DecAmount.fromInteger(maxPrice);
  const minimumCost = deploymentCost(MIN_RESOURCES, rates);
  const fits = minimumCost.compare(available) <= 0;
  const resources = fits ? growWithin(available.minus(minimumCost), rates) : MIN_RESOURCES;
  return {
    resources,
    maxPricePerBlock: maxPrice.toString(),
    estimate: estimateCost(resources, { actUsd: budget.actUsd, rates: rateInput }),
    fitsBudget: fits,
    shortfallPerBlock: fits ? "0" : minimumCost.minus(available).toString(),
  };
}
