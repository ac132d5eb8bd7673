import type { Resources } from "./resources.js";
import type { TrafficMetrics } from "./traffic-metrics.js";

/** The design notes' reproduction triggers, in the order they are evaluated. */
export const REPRODUCTION_TRIGGERS = [
  "high_load",
  "geographic_demand",
  "redundancy",
  "specialization",
  "scheduled",
] as const;
export type ReproductionTrigger = (typeof REPRODUCTION_TRIGGERS)[number];

export type Urgency = "low" | "medium" | "high";

/** What the child agent should be: its role, where, its first size and its budget. */
export interface ChildConfig {
  readonly role: "replica" | "specialized";
  readonly specialization: "video" | null;
  /** `location-region` the child should be placed in (geographic demand), else null. */
  readonly region: string | null;
  /** Traffic to size the child's SDL from. */
  readonly initialMetrics: TrafficMetrics;
  readonly targetUsdPerDay: number;
}

/** What the agent observes when it asks "should I reproduce?". */
export interface ReproductionSignals {
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly metrics: TrafficMetrics;
  /** Events/s the current deployment handles; default: cpu units × 100 (the sizing rule). */
  readonly capacityEventsPerSecond?: number;
  /** agent-relay's current size. */
  readonly resources: Resources;
  /** Connections by `location-region` of the client. */
  readonly connectionsByRegion: Readonly<Record<string, number>>;
  /** Events seen in the window, by Nostr kind (keys are kind numbers). */
  readonly eventsByKind: Readonly<Record<string, number>>;
  readonly family: {
    /** Live agents in the family: this one, its parent, its active children. */
    readonly activeAgents: number;
    /** Regions the family's agents run in. */
    readonly regions: readonly string[];
    /** Specialisations the family already has (e.g. "video"). */
    readonly specialists: readonly string[];
  };
  /** When this agent last spawned a child, or null if never. */
  readonly lastReproductionAt: number | null;
  /** When this agent started: the schedule's origin until its first reproduction. */
  readonly startedAt: number;
}

/** Thresholds (config `reproduction.*`) and child budgets. */
export interface ReproductionRules {
  /** Load above this share of capacity is high. */
  readonly highLoadShare: number;
  /** Load above this share makes high load urgent. */
  readonly urgentLoadShare: number;
  /** A region with more than this share of connections and no agent calls for one. */
  readonly geographicShare: number;
  /** Fewer live agents than this calls for a replica. */
  readonly minAgents: number;
  /** More than this share of video events, with no video specialist, calls for one. */
  readonly videoShare: number;
  /** Nostr kinds counted as video. */
  readonly videoKinds: readonly number[];
  readonly scheduledEveryDays: number;
  readonly replicaUsdPerDay: number;
  readonly specialistUsdPerDay: number;
}

/**
 * The notes' values. Video is kind 71 as the notes say; note that NIP-71 itself now uses kinds 21
 * and 22 (34235/34236 before), so set `videoKinds` to match the relay's clients.
 */
export const DEFAULT_REPRODUCTION_RULES: ReproductionRules = {
  highLoadShare: 0.8,
  urgentLoadShare: 0.9,
  geographicShare: 0.3,
  minAgents: 3,
  videoShare: 0.2,
  videoKinds: [71],
  scheduledEveryDays: 30,
  replicaUsdPerDay: 5,
  specialistUsdPerDay: 8,
};

export interface ReproduceDecision {
  readonly reproduce: true;
  readonly trigger: ReproductionTrigger;
  readonly reason: string;
  readonly urgency: Urgency;
  readonly childConfig: ChildConfig;
}

export interface NoReproduceDecision {
  readonly reproduce: false;
  /** Why no trigger fired, one clause per trigger. */
  readonly reason: string;
}

export type ReproductionDecision = ReproduceDecision | NoReproduceDecision;
