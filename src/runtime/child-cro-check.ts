import type { CronosTreasury } from "../actors/cronos-treasury.js";
import type { AgentConfig } from "../config/index.js";
import { UsageError } from "../errors.js";

const WEI_PER_CRO = 1e18;
const MICRO = 1_000_000;

/**
 * Refuses at start a `reproduction.childCroWei` that no birth could send: no Cronos leg on this
 * network, or more than the caps allow (one Cronos transaction, one child's allocation with its ACT
 * budget, one day's spending). Only with `reproduction.enabled`: an agent that has no children sends
 * no CRO. The treasury checks the same caps again at each birth, with what was already spent that day.
 */
export function requireChildCroWithinReach(config: AgentConfig, cronos: CronosTreasury | undefined): void {
  const { reproduction, budget } = config;
  if (!reproduction.enabled || reproduction.childCroWei === "0") return;
  const setting = `reproduction.childCroWei = "${reproduction.childCroWei}"`;
  if (!cronos) {
    throw new UsageError(
      `${setting} but the ${config.network} network has no Cronos endpoints (treasury.cronos.${config.network}): configure them or set reproduction.childCroWei to "0"`,
    );
  }
  const croUsd = (Number(reproduction.childCroWei) / WEI_PER_CRO) * budget.croUsd;
  const at = `$${croUsd.toFixed(2)} at budget.croUsd $${budget.croUsd}`;
  if (croUsd > budget.perSwapCapUsd) {
    throw new UsageError(
      `${setting} (${at}) is over the cap of $${budget.perSwapCapUsd} on one Cronos transaction (budget.perSwapCapUsd): lower it or raise the cap`,
    );
  }
  const childUsd = croUsd + (Number(reproduction.childBudgetUact) / MICRO) * budget.actUsd;
  const limit = Math.min(budget.childAllocationCapUsd, budget.dailySpendCapUsd);
  if (childUsd > limit) {
    const cap =
      limit === budget.childAllocationCapUsd
        ? `budget.childAllocationCapUsd ($${budget.childAllocationCapUsd})`
        : `budget.dailySpendCapUsd ($${budget.dailySpendCapUsd})`;
    throw new UsageError(
      `${setting} (${at}) with reproduction.childBudgetUact makes one child's funding $${childUsd.toFixed(2)}, over ${cap}: lower reproduction.childCroWei or reproduction.childBudgetUact, or raise the cap`,
    );
  }
}
