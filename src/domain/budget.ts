import { BLOCKS_PER_DAY, MICRO_PER_UNIT } from "./chain-units.js";
import { DecAmount, divideCeil } from "./dec-amount.js";
import { requirePositive } from "./input-checks.js";

/** What the agent means to spend on its own deployment. USD figures are plain numbers. */
export interface DailyBudget {
  readonly targetUsdPerDay: number;
  /** Price of 1 ACT in USD (≈ 1 by design). */
  readonly actUsd: number;
}

/**
 * The highest price per block, in whole uact, that keeps a day of blocks within the budget:
 * ⌈targetUsd ÷ actUsd × 10^6 ÷ blocksPerDay⌉ (6 s blocks: 14 400 a day). Computed exactly on the
 * decimal values of the inputs, so e.g. $4.32/day at $3 gives 100, not the 101 a float residue gives.
 */
export function maxPricePerBlockUact(budget: DailyBudget): bigint {
  const target = DecAmount.parse(
    "budget.targetUsdPerDay",
    requirePositive("budget.targetUsdPerDay", budget?.targetUsdPerDay),
  );
  const act = DecAmount.parse("budget.actUsd", requirePositive("budget.actUsd", budget?.actUsd));
  return divideCeil(target.atto * BigInt(MICRO_PER_UNIT), act.atto * BigInt(BLOCKS_PER_DAY));
}

/** USD value of an amount of uact (exact, or an integer amount as a decimal string) at `actUsd` per ACT. */
export function uactToUsd(uact: DecAmount | string, actUsd: number): number {
  const amount = typeof uact === "string" ? Number(uact) : uact.toNumber();
  return (amount / MICRO_PER_UNIT) * actUsd;
}
