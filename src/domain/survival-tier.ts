/** How much room the treasury has: what the agent may spend on follows from it (DESIGN §14). */
export const survivalTiers = ["normal", "frugal", "critical"] as const;
export type SurvivalTier = (typeof survivalTiers)[number];

export interface TierThresholds {
  /** Runway in days under which the agent is frugal. */
  frugalBelowDays: number;
  /** Runway in days under which the agent is critical (below frugalBelowDays). */
  criticalBelowDays: number;
}

/** What a tier allows. */
export interface TierAllowance {
  /** Spawning children: only in normal. */
  reproduction: boolean;
  /** A new deployment takes the cheapest viable SDL instead of the traffic-sized one: in critical. */
  cheapestSdl: boolean;
}

/** Runway in days: spendable value over the burn rate; null when nothing burns (no lease yet). */
export function runwayDays(spendableUsd: number, burnUsdPerDay: number): number | null {
  if (!(burnUsdPerDay > 0)) return null;
  return Math.max(0, spendableUsd) / burnUsdPerDay;
}

/** The tier of a runway; no burn (null runway) is normal. */
export function survivalTier(runway: number | null, thresholds: TierThresholds): SurvivalTier {
  if (runway === null) return "normal";
  if (runway < thresholds.criticalBelowDays) return "critical";
  if (runway < thresholds.frugalBelowDays) return "frugal";
  return "normal";
}

export function tierAllowance(tier: SurvivalTier): TierAllowance {
  return { reproduction: tier === "normal", cheapestSdl: tier === "critical" };
}
