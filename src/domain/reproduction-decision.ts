import { MS_PER_DAY } from "./chain-units.js";
import { DomainInputError } from "./domain-input-error.js";
import {
  requireFraction,
  requireNonNegative,
  requireNonNegativeInteger,
  requirePositive,
  requirePositiveInteger,
  requireTimestamp,
} from "./input-checks.js";
import {
  type ChildConfig,
  DEFAULT_REPRODUCTION_RULES,
  type ReproduceDecision,
  type ReproductionDecision,
  type ReproductionRules,
  type ReproductionSignals,
  type ReproductionTrigger,
  type Urgency,
} from "./reproduction-types.js";
import { EVENTS_PER_SECOND_PER_CPU } from "./resource-sizing.js";
import { hasVerticalHeadroom, RESOURCE_LIMITS, validateResources } from "./resources.js";
import type { TrafficMetrics } from "./traffic-metrics.js";
import { validateTrafficMetrics } from "./traffic-metrics.js";

/**
 * The design notes' "Reproduction Decision Engine": five triggers, evaluated in order, the first
 * that fires wins. Gates (quota, treasury, market) come after, in reproduction-gates.ts.
 *
 * Departures from the notes: a share of zero connections or events is "nothing to measure"
 * rather than a division by zero; an event kind nobody sent counts 0 (the notes' `eventsByKind[71]`
 * is undefined → NaN); when several regions exceed the share, the largest wins (not the first
 * inserted); the schedule counts from the agent's start until its first reproduction (the notes'
 * `lastReproduction.getTime()` throws on null); redundancy counts the whole family, parent
 * included; a regional child's events/s is the region's share of ours rather than a fixed 0.1 per
 * connection; and "no" comes with the reason each trigger did not fire.
 */

/** Size of a replica made for redundancy or on schedule (the notes' "average metrics"). */
export const BASELINE_CHILD_METRICS: TrafficMetrics = {
  eventsPerSecond: 10,
  activeConnections: 100,
  storageUsedGi: 10,
};
/** A video specialist needs little cpu and much storage (the notes' estimate). */
export const VIDEO_CHILD_METRICS: TrafficMetrics = {
  eventsPerSecond: 5,
  activeConnections: 50,
  storageUsedGi: 100,
};
/** A new child starts with this much data. */
const CHILD_STARTING_STORAGE_GI = 10;

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

function countRecord(field: string, record: Readonly<Record<string, number>>): [string, number][] {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw DomainInputError.of(field, record, "must be an object of counts");
  }
  return Object.entries(record).map(([key, value]) => [key, requireNonNegative(`${field}.${key}`, value)]);
}

function textList(field: string, list: readonly string[]): readonly string[] {
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw DomainInputError.of(field, list, "must be a list of strings");
  }
  return list;
}

function validRules(rules: ReproductionRules): ReproductionRules {
  if (typeof rules !== "object" || rules === null) {
    throw DomainInputError.of("rules", rules, "must be an object");
  }
  if (
    !Array.isArray(rules.videoKinds) ||
    rules.videoKinds.some((kind) => !Number.isInteger(kind) || kind < 0)
  ) {
    throw DomainInputError.of("rules.videoKinds", rules.videoKinds, "must be a list of Nostr kinds");
  }
  return {
    highLoadShare: requireFraction("rules.highLoadShare", rules.highLoadShare),
    urgentLoadShare: requireFraction("rules.urgentLoadShare", rules.urgentLoadShare),
    geographicShare: requireFraction("rules.geographicShare", rules.geographicShare),
    minAgents: requirePositiveInteger("rules.minAgents", rules.minAgents),
    videoShare: requireFraction("rules.videoShare", rules.videoShare),
    videoKinds: rules.videoKinds,
    scheduledEveryDays: requirePositive("rules.scheduledEveryDays", rules.scheduledEveryDays),
    replicaUsdPerDay: requirePositive("rules.replicaUsdPerDay", rules.replicaUsdPerDay),
    specialistUsdPerDay: requirePositive("rules.specialistUsdPerDay", rules.specialistUsdPerDay),
  };
}

function validSignals(signals: ReproductionSignals) {
  if (typeof signals !== "object" || signals === null) {
    throw DomainInputError.of("signals", signals, "must be an object");
  }
  const metrics = validateTrafficMetrics("metrics", signals.metrics);
  const resources = validateResources("resources", signals.resources);
  const capacity =
    signals.capacityEventsPerSecond === undefined
      ? resources.cpuUnits * EVENTS_PER_SECOND_PER_CPU
      : requirePositive("capacityEventsPerSecond", signals.capacityEventsPerSecond);
  const family = signals.family;
  if (typeof family !== "object" || family === null) {
    throw DomainInputError.of("family", family, "must be an object");
  }
  return {
    now: requireTimestamp("now", signals.now),
    startedAt: requireTimestamp("startedAt", signals.startedAt),
    lastReproductionAt:
      signals.lastReproductionAt === null
        ? null
        : requireTimestamp("lastReproductionAt", signals.lastReproductionAt),
    metrics,
    resources,
    capacity,
    connectionsByRegion: countRecord("connectionsByRegion", signals.connectionsByRegion),
    eventsByKind: countRecord("eventsByKind", signals.eventsByKind),
    activeAgents: requireNonNegativeInteger("family.activeAgents", family.activeAgents),
    familyRegions: textList("family.regions", family.regions),
    specialists: textList("family.specialists", family.specialists),
  };
}

type Signals = ReturnType<typeof validSignals>;
/** A check either decides to reproduce or says, in one clause, why it did not. */
type Check = (signals: Signals, rules: ReproductionRules) => ReproduceDecision | string;

const decide = (trigger: ReproductionTrigger, reason: string, urgency: Urgency, childConfig: ChildConfig) =>
  ({ reproduce: true, trigger, reason, urgency, childConfig }) as const;

const replica = (
  rules: ReproductionRules,
  initialMetrics: TrafficMetrics,
  region: string | null = null,
): ChildConfig => ({
  role: "replica",
  specialization: null,
  region,
  initialMetrics,
  targetUsdPerDay: rules.replicaUsdPerDay,
});

const checkHighLoad: Check = ({ metrics, capacity, resources }, rules) => {
  const load = metrics.eventsPerSecond / capacity;
  if (load <= rules.highLoadShare) {
    return `load ${percent(load)} of capacity (trigger above ${percent(rules.highLoadShare)})`;
  }
  if (hasVerticalHeadroom(resources)) {
    return (
      `load ${percent(load)} of capacity but vertical headroom remains (cpu ${resources.cpuUnits}/` +
      `${RESOURCE_LIMITS.cpuUnits.max}, memory ${resources.memoryGi}/${RESOURCE_LIMITS.memoryGi.max}Gi): scale up first`
    );
  }
  return decide(
    "high_load",
    `load at ${percent(load)} of capacity and the largest size is reached`,
    load > rules.urgentLoadShare ? "high" : "medium",
    replica(rules, {
      eventsPerSecond: metrics.eventsPerSecond / 2,
      activeConnections: metrics.activeConnections / 2,
      storageUsedGi: CHILD_STARTING_STORAGE_GI,
    }),
  );
};

const checkGeographicDemand: Check = ({ connectionsByRegion, familyRegions, metrics }, rules) => {
  const total = connectionsByRegion.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return "no connections to place by region";
  const [candidate] = connectionsByRegion
    .filter(([region, count]) => count / total > rules.geographicShare && !familyRegions.includes(region))
    .sort(([regionA, countA], [regionB, countB]) => countB - countA || (regionA < regionB ? -1 : 1));
  if (!candidate) {
    return `no region without an agent has over ${percent(rules.geographicShare)} of connections`;
  }
  const [region, count] = candidate;
  const share = count / total;
  return decide(
    "geographic_demand",
    `${percent(share)} of connections come from ${region}, where the family has no agent`,
    "medium",
    replica(
      rules,
      {
        eventsPerSecond: metrics.eventsPerSecond * share,
        activeConnections: count,
        storageUsedGi: CHILD_STARTING_STORAGE_GI,
      },
      region,
    ),
  );
};

const checkRedundancy: Check = ({ activeAgents }, rules) => {
  if (activeAgents >= rules.minAgents) {
    return `${activeAgents} live agents in the family (minimum ${rules.minAgents})`;
  }
  return decide(
    "redundancy",
    `only ${activeAgents} live agent(s) in the family, at least ${rules.minAgents} are needed`,
    activeAgents <= 1 ? "high" : "medium",
    replica(rules, BASELINE_CHILD_METRICS),
  );
};

const checkSpecialization: Check = ({ eventsByKind, specialists }, rules) => {
  const total = eventsByKind.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return "no events to measure the video share";
  const video = eventsByKind
    .filter(([kind]) => rules.videoKinds.includes(Number(kind)))
    .reduce((sum, [, count]) => sum + count, 0);
  const share = video / total;
  if (share <= rules.videoShare) {
    return `video events ${percent(share)} (trigger above ${percent(rules.videoShare)})`;
  }
  if (specialists.includes("video")) {
    return `video events ${percent(share)} but the family has a video specialist`;
  }
  return decide(
    "specialization",
    `${percent(share)} of events are video and no agent specialises in them`,
    "low",
    {
      role: "specialized",
      specialization: "video",
      region: null,
      initialMetrics: VIDEO_CHILD_METRICS,
      targetUsdPerDay: rules.specialistUsdPerDay,
    },
  );
};

const checkScheduled: Check = ({ now, lastReproductionAt, startedAt }, rules) => {
  const since = lastReproductionAt === null ? "start" : "last reproduction";
  const days = (now - (lastReproductionAt ?? startedAt)) / MS_PER_DAY;
  const shown = `${Math.floor(days)} day(s) since ${since}`;
  if (days <= rules.scheduledEveryDays) return `${shown} (scheduled every ${rules.scheduledEveryDays})`;
  return decide(
    "scheduled",
    `scheduled reproduction: ${shown}`,
    "low",
    replica(rules, BASELINE_CHILD_METRICS),
  );
};

const CHECKS: readonly Check[] = [
  checkHighLoad,
  checkGeographicDemand,
  checkRedundancy,
  checkSpecialization,
  checkScheduled,
];

/** Evaluates the five triggers in order; the first that fires decides. */
export function decideReproduction(
  signals: ReproductionSignals,
  rules: ReproductionRules = DEFAULT_REPRODUCTION_RULES,
): ReproductionDecision {
  const valid = validSignals(signals);
  const validatedRules = validRules(rules);
  const whyNot: string[] = [];
  for (const check of CHECKS) {
    const outcome = check(valid, validatedRules);
    if (typeof outcome !== "string") return outcome;
    whyNot.push(outcome);
  }
  return { reproduce: false, reason: whyNot.join("; ") };
}
