/** The pure domain: sizing, SDL, cost, provider scoring, reproduction and failure rules. */

export { ACT_MINT_MARGIN, type MintPrices, uaktToMintUact } from "./act-mint.js";
export { type AgentVersion, runningImage } from "./agent-version.js";
export { type BackoffOptions, DEFAULT_BACKOFF, exponentialBackoffMs } from "./backoff.js";
export {
  attributeMatches,
  attributesSubsetOf,
  type BidderRecord,
  couldBid,
  type GroupBidRequirements,
  type KeyValueAttribute,
  matchesPlacement,
  matchesResourceCapabilities,
} from "./bid-eligibility.js";
export { type DailyBudget, maxPricePerBlockUact, uactToUsd } from "./budget.js";
export {
  BLOCK_SECONDS,
  BLOCKS_PER_DAY,
  BLOCKS_PER_MONTH,
  DAYS_PER_MONTH,
  MICRO_PER_UNIT,
  PRICE_DENOM,
} from "./chain-units.js";
export {
  BUDGET_SHARES,
  type BudgetPlan,
  type CostEstimate,
  type CostOptions,
  DEFAULT_RESOURCE_RATES,
  estimateCost,
  type PeriodCost,
  type ResourceRates,
  resourcesForBudget,
  type ServiceCost,
} from "./cost.js";
export { DEC_FRACTION_DIGITS, DecAmount, type DecimalInput } from "./dec-amount.js";
export { DomainInputError } from "./domain-input-error.js";
export {
  EffectError,
  type EffectFailure,
  type FailureKind,
  failureKinds,
  toEffectFailure,
} from "./effect-failure.js";
export {
  DEFAULT_MAX_DEPLOYMENT_ATTEMPTS,
  DEFAULT_MAX_RECONNECT_ATTEMPTS,
  EMERGENCY_SWAP_FACTOR,
  type FailurePolicyOptions,
  planRecovery,
  scaleUp,
} from "./failure-policy.js";
export {
  type ExhaustedResource,
  FAILURE_TYPES,
  type FailureEvent,
  type FailureType,
  type FundsNeed,
  type RecoveryAction,
  type RecoveryPlan,
  type Severity,
} from "./failure-types.js";
export {
  DEFAULT_IMAGE_TAG,
  type ImageReference,
  imageRepository,
  imageTag,
  isImageTag,
  parseImageReference,
  taggedImage,
  withImageTag,
} from "./image-reference.js";
export {
  type BidCandidate,
  type FamilyPlacement,
  MAX_BIDS_PER_ORDER,
  type ProviderAttribute,
  type ProviderHistory,
  type ProviderUptime,
  type RankedBid,
  REJECTION_REASONS,
  type RejectedBid,
  type RejectionReason,
  type ScoreBreakdown,
  type ScoringInput,
  type ScoringResult,
  type ScoringWeights,
} from "./provider-bid.js";
export { DEFAULT_SCORING_WEIGHTS, REGION_ATTRIBUTE, scoreBids } from "./provider-scoring.js";
export { relayUriOf } from "./relay-uri.js";
export { BASELINE_CHILD_METRICS, decideReproduction, VIDEO_CHILD_METRICS } from "./reproduction-decision.js";
export {
  checkReproductionGates,
  evaluateReproduction,
  type GateResult,
  type ReproductionGate,
  type ReproductionGateInput,
  type ReproductionOutcome,
} from "./reproduction-gates.js";
export {
  type ChildConfig,
  DEFAULT_REPRODUCTION_RULES,
  type NoReproduceDecision,
  REPRODUCTION_TRIGGERS,
  type ReproduceDecision,
  type ReproductionDecision,
  type ReproductionRules,
  type ReproductionSignals,
  type ReproductionTrigger,
  type Urgency,
} from "./reproduction-types.js";
export { cheapestViableResources, resourcesForTier, resourcesForTraffic } from "./resource-sizing.js";
export {
  clampToRange,
  hasVerticalHeadroom,
  MAX_RESOURCES,
  MIN_RESOURCES,
  type Range,
  RESOURCE_LIMITS,
  type Resources,
} from "./resources.js";
export * from "./sdl/index.js";
export {
  deploymentProfiles,
  SDL_PROFILES,
  type SdlProfile,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceProfile,
} from "./service-profiles.js";
export {
  runwayDays,
  type SurvivalTier,
  survivalTier,
  survivalTiers,
  type TierAllowance,
  type TierThresholds,
  tierAllowance,
} from "./survival-tier.js";
export {
  fullBucket,
  type TokenBucketLimit,
  type TokenBucketState,
  type TokenDecision,
  takeToken,
} from "./token-bucket.js";
export type { TrafficMetrics } from "./traffic-metrics.js";
export { type MeasuredLoad, type ResourceUsagePercent, usageOfResources } from "./traffic-usage.js";
export { txHashBytes, txHashOf } from "./tx-hash.js";
