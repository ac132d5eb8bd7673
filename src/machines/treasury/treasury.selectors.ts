import { type SurvivalTier, tierAllowance } from "../../domain/index.js";
import type { TreasuryContext } from "./treasury.context.js";
import { netSpentUsd, treasuryRunwayDays, treasuryTier, utcDay } from "./treasury.policy.js";

/** The treasury as `akash-agent treasury --json` and status pages show it; amounts are decimal strings. */
export interface TreasuryView {
  akash: { uakt: string | null; uact: string | null; escrowUact: string | null };
  cronos: { croWei: string | null; aktUnits: string | null };
  runwayDays: number | null;
  tier: SurvivalTier | null;
  spentTodayUsd: number;
  capUsdPerDay: number;
}

/** The view of a treasury context; `now` decides whether the recorded spend is today's. */
export function treasuryView(context: TreasuryContext, now: number): TreasuryView {
  const { balances, settings } = context;
  const runway = balances ? treasuryRunwayDays(balances, settings) : null;
  return {
    akash: {
      uakt: balances?.uakt ?? null,
      uact: balances?.uact ?? null,
      escrowUact: balances?.escrowUact ?? null,
    },
    cronos: { croWei: balances?.croWei ?? null, aktUnits: balances?.aktUnits ?? null },
    runwayDays: runway === null ? null : Number(runway.toFixed(2)),
    tier: context.tier ?? (balances ? treasuryTier(balances, settings) : null),
    spentTodayUsd: context.spent.day === utcDay(now) ? Number(netSpentUsd(context.spent).toFixed(2)) : 0,
    capUsdPerDay: settings.dailySpendCapUsd,
  };
}

/** Whether the treasury's tier lets the agent spawn children (only normal does). */
export function treasuryAllowsReproduction(context: Pick<TreasuryContext, "tier">): boolean {
  return tierAllowance(context.tier ?? "normal").reproduction;
}

/** Whether the next deployment must take the cheapest viable SDL (critical). */
export function treasuryWantsCheapestSdl(context: Pick<TreasuryContext, "tier">): boolean {
  return tierAllowance(context.tier ?? "normal").cheapestSdl;
}
