import { DomainInputError } from "./domain-input-error.js";
import { requireNonNegative, requireNonNegativeInteger, requirePositive } from "./input-checks.js";
import { decideReproduction } from "./reproduction-decision.js";
import {
  DEFAULT_REPRODUCTION_RULES,
  type ReproduceDecision,
  type ReproductionRules,
  type ReproductionSignals,
} from "./reproduction-types.js";

/**
 * The gates a triggered reproduction must pass, in order: quota, treasury, market. USD figures are
 * numbers (the treasury service converts its balances at current prices).
 */
export interface ReproductionGateInput {
  readonly quota: {
    readonly activeChildren: number;
    /** config `reproduction.maxChildren`. */
    readonly maxChildren: number;
  };
  readonly treasury: {
    /** What the treasury holds now, in USD. */
    readonly balanceUsd: number;
    /** config `budget.treasuryMinimumUsd`: never fund a child below this. */
    readonly minimumUsd: number;
    /** What this agent's own deployment costs a day. */
    readonly ownDailyCostUsd: number;
    /** Days of our own runway the treasury must still cover after funding the child. */
    readonly ownRunwayDays: number;
    /** Days of the child's budget to hand it at birth. */
    readonly childRunwayDays: number;
    /** config `budget.childAllocationCapUsd`. */
    readonly childAllocationCapUsd: number;
  };
  /**
   * Whether the Akash market can take another deployment of ours. `onlineProviders` counts
   * providers online that can run our SDL (Console API); `recentBidsPerOrder` is the mean number of
   * bids our last orders drew (null when we have none).
   */
  readonly market: {
    readonly onlineProviders: number;
    readonly providersUsedByFamily: number;
    readonly recentBidsPerOrder: number | null;
    /** Fewer bids than this per order means a thin market. Default 2. */
    readonly minBidsPerOrder?: number;
  };
}

export type ReproductionGate = "quota" | "treasury" | "market";

export type GateResult =
  | { readonly passed: true; readonly childFundingUsd: number }
  | { readonly passed: false; readonly gate: ReproductionGate; readonly reason: string };

const usd = (value: number) => `$${value.toFixed(2)}`;

/**
 * Quota: fewer active children than the maximum. Treasury: the child's funding is its daily
 * budget × childRunwayDays, capped by the allocation cap, and must buy at least one day; after it,
 * the treasury must keep max(minimumUsd, ownDailyCostUsd × ownRunwayDays). Market: at least one
 * online provider the family does not use yet, and recent orders drew at least minBidsPerOrder bids.
 */
export function checkReproductionGates(
  decision: ReproduceDecision,
  input: ReproductionGateInput,
): GateResult {
  if (typeof input !== "object" || input === null) {
    throw DomainInputError.of("gates", input, "must be an object");
  }
  const activeChildren = requireNonNegativeInteger("quota.activeChildren", input.quota?.activeChildren);
  const maxChildren = requireNonNegativeInteger("quota.maxChildren", input.quota?.maxChildren);
  if (activeChildren >= maxChildren) {
    return {
      passed: false,
      gate: "quota",
      reason: `${activeChildren} of at most ${maxChildren} children are active`,
    };
  }

  const treasury = input.treasury;
  const balance = requireNonNegative("treasury.balanceUsd", treasury?.balanceUsd);
  const minimum = requireNonNegative("treasury.minimumUsd", treasury?.minimumUsd);
  const ownDaily = requireNonNegative("treasury.ownDailyCostUsd", treasury?.ownDailyCostUsd);
  const ownDays = requireNonNegative("treasury.ownRunwayDays", treasury?.ownRunwayDays);
  const childDays = requirePositive("treasury.childRunwayDays", treasury?.childRunwayDays);
  const cap = requireNonNegative("treasury.childAllocationCapUsd", treasury?.childAllocationCapUsd);
  const childDaily = decision.childConfig.targetUsdPerDay;
  const funding = Math.min(cap, childDaily * childDays);
  if (funding < childDaily) {
    return {
      passed: false,
      gate: "treasury",
      reason: `the allocation cap of ${usd(cap)} buys less than one day of the child's ${usd(childDaily)}/day`,
    };
  }
  const reserve = Math.max(minimum, ownDaily * ownDays);
  if (balance - funding < reserve) {
    return {
      passed: false,
      gate: "treasury",
      reason: `funding the child (${usd(funding)}) would leave ${usd(balance - funding)}, under the ${usd(reserve)} reserve`,
    };
  }

  const market = input.market;
  const online = requireNonNegativeInteger("market.onlineProviders", market?.onlineProviders);
  const used = requireNonNegativeInteger("market.providersUsedByFamily", market?.providersUsedByFamily);
  const minBids = requirePositive("market.minBidsPerOrder", market?.minBidsPerOrder ?? 2);
  if (online <= used) {
    return {
      passed: false,
      gate: "market",
      reason: `all ${online} online provider(s) already host the family`,
    };
  }
  if (market.recentBidsPerOrder !== null) {
    const bids = requireNonNegative("market.recentBidsPerOrder", market.recentBidsPerOrder);
    if (bids < minBids) {
      return {
        passed: false,
        gate: "market",
        reason: `our recent orders drew ${bids} bid(s) on average, fewer than ${minBids}: the market is thin`,
      };
    }
  }
  return { passed: true, childFundingUsd: funding };
}

export type ReproductionOutcome =
  | { readonly outcome: "no-trigger"; readonly reason: string }
  | {
      readonly outcome: "blocked";
      readonly decision: ReproduceDecision;
      readonly gate: ReproductionGate;
      readonly reason: string;
    }
  | { readonly outcome: "reproduce"; readonly decision: ReproduceDecision; readonly childFundingUsd: number };

/** Triggers, then gates: the whole "should I spawn a child now, and with how much?" question. */
export function evaluateReproduction(
  signals: ReproductionSignals,
  gates: ReproductionGateInput,
  rules: ReproductionRules = DEFAULT_REPRODUCTION_RULES,
): ReproductionOutcome {
  const decision = decideReproduction(signals, rules);
  if (!decision.reproduce) return { outcome: "no-trigger", reason: decision.reason };
  const gate = checkReproductionGates(decision, gates);
  return gate.passed
    ? { outcome: "reproduce", decision, childFundingUsd: gate.childFundingUsd }
    : { outcome: "blocked", decision, gate: gate.gate, reason: gate.reason };
}
