import { PRICE_DENOM } from "./chain-units.js";
import { DecAmount } from "./dec-amount.js";
import { DomainInputError } from "./domain-input-error.js";
import { requireFraction, requireNonNegative, requireNonNegativeInteger } from "./input-checks.js";
import type {
  BidCandidate,
  FamilyPlacement,
  ProviderAttribute,
  ProviderHistory,
  ProviderUptime,
  RankedBid,
  RejectedBid,
  RejectionReason,
  ScoringInput,
  ScoringResult,
  ScoringWeights,
} from "./provider-bid.js";

/**
 * Provider scoring: price 40, uptime 30, reputation 20, diversity 10 (the design notes' "Provider
 * Selection Algorithm"), as a pure function of the bids and what we know about their providers.
 *
 * Fixes to the notes' version, each with what replaced it:
 *  1. `scoreBid` calls `this.scorePricecost`, which does not exist (the method is `scorePrice`): it
 *     throws on the first bid. → one named function per dimension.
 *  2. The audit bonus reads `reputation.audited`, but `ProviderReputation` has no such field (it is
 *     on `ProviderAttributes`), so no provider ever got it. → a provider is audited when one of its
 *     attributes is signed by an auditor we trust (Console `attributes[].auditedBy`, the on-chain
 *     `MsgSignProviderAttributes` record), not from a self-declared flag.
 *  3. Double weighting: the dimensions already return 0–40/0–30/0–20/0–10 points, then get
 *     multiplied by 0.4/0.3/0.2/0.1, so the real weights were 16/9/4/1 (price 16× diversity instead
 *     of 4×) and the best total 30, not 100. → each dimension is a fraction 0..1 times its weight;
 *     the weights are the points (config `scoring.*Weight`, default 40/30/20/10).
 *  4. Price: `40 × (1 − price ÷ max)` gives 0 to an acceptable bid at exactly the max price and
 *     never gives the cheapest bid full marks. → cheapest acceptable price ÷ this price (the
 *     cheapest gets the full weight, a bid at twice that price half of it).
 *  5. Price units: `price: number` in uAKT. Bids are DecCoin amounts in uact since BME, compared
 *     here as floats. → exact decimals (DecAmount), and a bid in another denom is rejected.
 *  6. `existingProviders`/`regionDistribution` are instance state mutated inside `selectProvider`:
 *     choosing a bid (not leasing it) counted as usage, results depended on earlier calls, and a
 *     restart forgot everything. → the family's placements are an input; nothing is mutated.
 *  7. Region came from `attributes.region`; Akash providers declare `location-region`. → that key.
 *  8. Reputation had no upper clamp (`Math.max(0, …)` only): a rating above 5 or more successful
 *     leases than leases pushed it past its 20-point cap. → every part is clamped to 0..1 and the
 *     parts' shares add up to the weight, so the cap holds by construction.
 *  9. A provider with no history scored `0 ÷ max(1, 0) = 0` success, the same as one that failed
 *     every lease. → success rate with a uniform prior, (successes + 1) ÷ (successes + failures + 2).
 * 10. Community rating and slash count have no source (Akash does not slash providers; no rating
 *     service exists). → the rating's share goes to a clean-record part, and the slash penalty
 *     (−1 point in 20 each, at most 5) becomes the same penalty per failure on our own leases.
 * 11. Uptime mixed percentages (`uptime / 100`) with an unspecified `averageUptime`, and an unknown
 *     value gave NaN, which breaks the sort. → Console fractions 0..1 (recent = 1d, else 7d;
 *     long-term = our measured uptime, else 30d, else 7d); unknown → a neutral 0.5. Scored linearly
 *     from 90% (0) to 100% (full), because 95% and 99.9% must not look alike.
 * 12. Offline providers (Console `isOnline: false`) were scored like any other, though they cannot
 *     receive the manifest. → rejected as `offline`.
 * 13. No way to keep a failed provider out. → `excludedProviders`, reported as `excluded`.
 * 14. "No bids within price range" threw without saying why each bid was dropped. → every dropped
 *     bid is returned with its reason and a one-line detail.
 * 15. Equal totals kept the engine's/input order. → ties go to the lower price, then the lower
 *     address, so the same bids always give the same ranking.
 * 16. The scorer logged (`console.log`) the top three. → the ranking with each breakdown is
 *     returned for the caller to show.
 * 17. (Not in the notes.) A child must not land on its parent's or siblings' provider while another
 *     bid exists. → `avoidedProviders`: their bids rank after every other bid, whatever their score.
 */

export const DEFAULT_SCORING_WEIGHTS: ScoringWeights = {
  price: 40,
  uptime: 30,
  reputation: 20,
  diversity: 10,
};
export const REGION_ATTRIBUTE = "location-region";
/** Uptime at or below this scores 0 of its part; 100% scores all of it. */
export const UPTIME_FLOOR = 0.9;
/** The fraction given to a part we know nothing about. */
export const UNKNOWN_PRIOR = 0.5;
/** Failures beyond this many do not lower the clean-record part further. */
export const MAX_COUNTED_FAILURES = 5;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const round2 = (value: number) => Math.round(value * 100) / 100;
const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

function validWeights(weights: ScoringWeights): ScoringWeights {
  const valid = {
    price: requireNonNegative("weights.price", weights?.price),
    uptime: requireNonNegative("weights.uptime", weights?.uptime),
    reputation: requireNonNegative("weights.reputation", weights?.reputation),
    diversity: requireNonNegative("weights.diversity", weights?.diversity),
  };
  if (valid.price + valid.uptime + valid.reputation + valid.diversity === 0) {
    throw DomainInputError.of("weights", "all 0", "at least one weight must be above 0");
  }
  return valid;
}

function stringList(field: string, list: readonly string[]): Set<string> {
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw DomainInputError.of(field, list, "must be a list of strings");
  }
  return new Set(list);
}

function familyList(family: readonly FamilyPlacement[]): readonly FamilyPlacement[] {
  if (!Array.isArray(family)) throw DomainInputError.of("family", family, "must be a list of placements");
  family.forEach((member, index) => {
    if (
      typeof member?.provider !== "string" ||
      !(member.region === null || typeof member.region === "string")
    ) {
      throw DomainInputError.of(
        `family[${index}]`,
        member,
        "must be { provider: string, region: string | null }",
      );
    }
  });
  return family;
}

/** Throws a DomainInputError naming the first malformed field of a bid's provider data. */
function checkProviderData(bid: BidCandidate): void {
  if (!Array.isArray(bid.attributes)) {
    throw DomainInputError.of("attributes", bid.attributes, "must be a list");
  }
  bid.attributes.forEach((attribute, index) => {
    const audited = attribute?.auditedBy;
    if (
      typeof attribute?.key !== "string" ||
      typeof attribute.value !== "string" ||
      !(
        audited === undefined ||
        (Array.isArray(audited) && audited.every((item) => typeof item === "string"))
      )
    ) {
      throw DomainInputError.of(
        `attributes[${index}]`,
        attribute,
        "must be { key, value, auditedBy?: string[] }",
      );
    }
  });
  const uptime = bid.uptime;
  if (uptime) {
    for (const key of ["uptime1d", "uptime7d", "uptime30d"] as const) {
      if (uptime[key] !== null) requireFraction(`uptime.${key}`, uptime[key]);
    }
    if (typeof uptime.isOnline !== "boolean") {
      throw DomainInputError.of("uptime.isOnline", uptime.isOnline, "must be a boolean");
    }
  }
  const history = bid.history;
  if (history) {
    requireNonNegativeInteger("history.leases", history.leases);
    requireNonNegativeInteger("history.successes", history.successes);
    requireNonNegativeInteger("history.failures", history.failures);
    if (history.successes + history.failures > history.leases) {
      throw DomainInputError.of(
        "history",
        `${history.successes}+${history.failures}`,
        "successes + failures must not exceed leases",
      );
    }
    if (history.measuredUptime !== null) requireFraction("history.measuredUptime", history.measuredUptime);
  }
}

function isAudited(attributes: readonly ProviderAttribute[], auditors: ReadonlySet<string>): boolean {
  return attributes.some((attribute) => (attribute.auditedBy ?? []).some((auditor) => auditors.has(auditor)));
}

function regionOf(attributes: readonly ProviderAttribute[]): string | null {
  return attributes.find((attribute) => attribute.key === REGION_ATTRIBUTE)?.value ?? null;
}

const uptimeLevel = (uptime: number | null) =>
  uptime === null ? UNKNOWN_PRIOR : clamp01((uptime - UPTIME_FLOOR) / (1 - UPTIME_FLOOR));

/** Recent uptime counts 2/3, long-term 1/3 (the notes' 20 + 10 of 30). */
function uptimeFraction(uptime: ProviderUptime | null, history: ProviderHistory | null): number {
  const recent = uptime?.uptime1d ?? uptime?.uptime7d ?? null;
  const longTerm = history?.measuredUptime ?? uptime?.uptime30d ?? uptime?.uptime7d ?? null;
  return (2 / 3) * uptimeLevel(recent) + (1 / 3) * uptimeLevel(longTerm);
}

/** Success rate 1/2, audited 1/4, clean record 1/4 (the notes' 10 + 5 + 5 of 20). */
function reputationFraction(history: ProviderHistory | null, audited: boolean): number {
  const successes = history?.successes ?? 0;
  const failures = history?.failures ?? 0;
  const successRate = (successes + 1) / (successes + failures + 2);
  const cleanRecord = 1 - Math.min(failures, MAX_COUNTED_FAILURES) / MAX_COUNTED_FAILURES;
  return 0.5 * successRate + 0.25 * (audited ? 1 : 0) + 0.25 * cleanRecord;
}

/** A provider the family does not use yet is worth 1/2; a region it uses little, up to 1/2. */
function diversityFraction(
  provider: string,
  region: string | null,
  family: readonly FamilyPlacement[],
): number {
  const newProvider = family.some((member) => member.provider === provider) ? 0 : 1;
  const sameRegion = family.filter((member) => member.region !== null && member.region === region).length;
  const regionPart = region === null ? 0 : family.length === 0 ? 1 : 1 - sameRegion / family.length;
  return 0.5 * newProvider + 0.5 * regionPart;
}

interface Accepted {
  readonly bid: BidCandidate;
  readonly price: DecAmount;
}

interface Rejection {
  readonly reason: RejectionReason;
  readonly detail: string;
}

/** Whether a bid may be scored at all, and if not, why. */
function screen(bid: BidCandidate, maxPrice: DecAmount, excluded: ReadonlySet<string>): Accepted | Rejection {
  if (typeof bid?.provider !== "string" || bid.provider === "") {
    return { reason: "invalid-data", detail: "provider address is missing" };
  }
  if (excluded.has(bid.provider)) {
    return { reason: "excluded", detail: "provider is on the exclusion list (it failed us before)" };
  }
  if (bid.denom !== PRICE_DENOM) {
    return {
      reason: "wrong-denom",
      detail: `priced in ${String(bid.denom)}, deployments are priced in ${PRICE_DENOM}`,
    };
  }
  let price: DecAmount;
  try {
    price = DecAmount.parse("price", bid.price);
  } catch {
    return { reason: "invalid-price", detail: "price is not a decimal amount ≥ 0" };
  }
  if (price.isZero()) {
    return { reason: "invalid-price", detail: "price is 0, which the chain does not accept" };
  }
  if (price.compare(maxPrice) > 0) {
    return { reason: "above-max-price", detail: `${price} uact per block is above the max of ${maxPrice}` };
  }
  try {
    checkProviderData(bid);
  } catch (error) {
    if (!(error instanceof DomainInputError)) throw error;
    return {
      reason: "invalid-data",
      detail: `provider data: ${error.message.replace(/^invalid input: /, "")}`,
    };
  }
  if (bid.uptime?.isOnline === false) {
    return { reason: "offline", detail: "the Console API reports the provider offline" };
  }
  return { bid, price };
}

/**
 * Ranks the bids best first with each score's breakdown, and lists every rejected bid with why.
 * Throws DomainInputError only for bad arguments (weights, max price, lists); a malformed bid is
 * rejected as `invalid-data` instead, so one bad provider record cannot block a deployment.
 */
export function scoreBids(input: ScoringInput): ScoringResult {
  const weights = validWeights(input.weights ?? DEFAULT_SCORING_WEIGHTS);
  const maxPrice = DecAmount.parse("maxPricePerBlock", input.maxPricePerBlock);
  if (maxPrice.isZero()) {
    throw DomainInputError.of("maxPricePerBlock", input.maxPricePerBlock, "must be above 0");
  }
  const auditors = stringList("auditors", input.auditors);
  const excluded = stringList("excludedProviders", input.excludedProviders);
  const avoided = stringList("avoidedProviders", input.avoidedProviders ?? []);
  const family = familyList(input.family);
  if (!Array.isArray(input.bids)) throw DomainInputError.of("bids", input.bids, "must be a list of bids");

  const rejected: RejectedBid[] = [];
  const reject = (bid: BidCandidate, { reason, detail }: Rejection) =>
    rejected.push({ provider: String(bid?.provider), price: String(bid?.price), reason, detail });

  const screened: Accepted[] = [];
  for (const bid of input.bids) {
    const outcome = screen(bid, maxPrice, excluded);
    if ("reason" in outcome) reject(bid, outcome);
    else screened.push(outcome);
  }

  // The chain takes one bid per provider and order; several mean conflicting data, so none is trusted.
  const bidsPerProvider = new Map<string, number>();
  for (const { bid } of screened) {
    bidsPerProvider.set(bid.provider, (bidsPerProvider.get(bid.provider) ?? 0) + 1);
  }
  const accepted = screened.filter(({ bid }) => {
    const count = bidsPerProvider.get(bid.provider) ?? 0;
    if (count > 1) {
      reject(bid, {
        reason: "duplicate",
        detail: `the provider sent ${count} bids; the chain allows one per order`,
      });
    }
    return count === 1;
  });

  const cheapest = accepted.reduce<DecAmount | null>(
    (low, entry) => (low === null ? entry.price : DecAmount.min(low, entry.price)),
    null,
  );
  const scored = accepted.map(({ bid, price }) => {
    const audited = isAudited(bid.attributes, auditors);
    const region = regionOf(bid.attributes);
    const history = bid.history ?? null;
    const breakdown = {
      price: round2(weights.price * (cheapest as DecAmount).ratioTo(price)),
      uptime: round2(weights.uptime * uptimeFraction(bid.uptime ?? null, history)),
      reputation: round2(weights.reputation * reputationFraction(history, audited)),
      diversity: round2(weights.diversity * diversityFraction(bid.provider, region, family)),
    };
    const total = round2(breakdown.price + breakdown.uptime + breakdown.reputation + breakdown.diversity);
    return {
      provider: bid.provider,
      price,
      region,
      audited,
      total,
      breakdown,
      avoided: avoided.has(bid.provider),
    };
  });
  scored.sort(
    (a, b) =>
      Number(a.avoided) - Number(b.avoided) ||
      b.total - a.total ||
      a.price.compare(b.price) ||
      compareText(a.provider, b.provider),
  );
  rejected.sort(
    (a, b) =>
      compareText(a.provider, b.provider) ||
      compareText(a.price, b.price) ||
      compareText(a.reason, b.reason) ||
      compareText(a.detail, b.detail),
  );
  return {
    ranked: scored.map(
      ({ avoided: isAvoided, ...entry }, index): RankedBid => ({
        ...entry,
        rank: index + 1,
        price: entry.price.toString(),
        ...(isAvoided ? { avoided: true as const } : {}),
      }),
    ),
    rejected,
  };
}
