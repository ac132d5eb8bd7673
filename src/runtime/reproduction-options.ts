import type { ReproductionActorOptions } from "../actors/reproduction-actors.js";
import type { AgentConfig } from "../config/index.js";
import { DEFAULT_REPRODUCTION_RULES } from "../domain/index.js";
import { initialDepositUact } from "./agent-settings.js";

/** Days of its own runway a parent keeps after funding a child (the notes' reserve). */
const OWN_RUNWAY_DAYS = 7;

/** The reproduction actors' rules and gates, from the agent's config. */
export function reproductionOptionsFromConfig(
  config: AgentConfig,
  o: { startedAt: number; aktUsd: () => Promise<number> },
): ReproductionActorOptions {
  const r = config.reproduction;
  return {
    rules: {
      ...DEFAULT_REPRODUCTION_RULES,
      highLoadShare: r.highLoadShare,
      geographicShare: r.geographicShare,
      minAgents: r.minAgents,
      videoShare: r.videoShare,
      scheduledEveryDays: r.scheduledEveryDays,
    },
    triggers: r.triggers,
    gates: {
      childBudgetUact: r.childBudgetUact,
      // A child's first deposit is what ours is (it inherits our settings): its budget must cover it.
      childFirstDepositUact: initialDepositUact(config).toString(),
      treasuryMinimumUsd: config.budget.treasuryMinimumUsd,
      ownDailyCostUsd: config.budget.targetUsdPerDay,
      ownRunwayDays: OWN_RUNWAY_DAYS,
      childAllocationCapUsd: config.budget.childAllocationCapUsd,
      actUsd: config.budget.actUsd,
      aktUsd: o.aktUsd,
    },
    startedAt: o.startedAt,
  };
}
