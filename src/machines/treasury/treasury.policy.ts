import type { FundsRequest } from "../shared/index.js";
import type { Balances, DailySpend, TreasurySettings } from "./treasury.types.js";

const MICRO = 1_000_000;

export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The day's total, restarted when `at` falls on a later UTC day. */
export function spendOn(spent: DailySpend, at: number): DailySpend {
  const day = utcDay(at);
  return spent.day === day ? spent : { day, usd: 0 };
}

/**
 * What the day's spend weighs against the daily cap: the spend less the escrow refunds credited back,
 * never below zero (a refund gives back room its own day's spend used; it never widens the cap).
 */
export function netSpentUsd(spent: DailySpend): number {
  return Math.max(0, spent.usd - (spent.creditUsd ?? 0));
}

/** The day's spend with the escrow refunds recorded that day, when the reading carries them. */
export function creditRefunds(spent: DailySpend, balances: Balances, settings: TreasurySettings): DailySpend {
  const today = spendOn(spent, balances.at);
  if (balances.refundedTodayUact === undefined) return today;
  return { ...today, creditUsd: uactToUsd(balances.refundedTodayUact, settings) };
}

export function uactToUsd(uact: string, settings: TreasurySettings): number {
  return (Number(uact) / MICRO) * settings.actUsd;
}

export function uaktToUsd(uakt: string, settings: TreasurySettings): number {
  return (Number(uakt) / MICRO) * settings.aktUsd;
}

export function requestUsd(request: FundsRequest, settings: TreasurySettings): number {
  return uactToUsd(request.amountUact, settings);
}

/**
 * Why a request must be refused, or null when every cap allows it. `inFlightUsd` is spend already
 * committed elsewhere and not yet recorded (a swap under way).
 */
export function capViolation(
  request: FundsRequest,
  spent: DailySpend,
  inFlightUsd: number,
  balances: Balances | null,
  settings: TreasurySettings,
): string | null {
  const usd = requestUsd(request, settings);
  const committed = netSpentUsd(spent) + inFlightUsd;
  // Every request counts, a new deployment's deposit too (DESIGN §14: committed spend); what an
  // escrow gives back when its deployment closes is credited (see netSpentUsd).
  if (committed + usd > settings.dailySpendCapUsd) {
    return `daily spend cap of $${settings.dailySpendCapUsd} would be broken ($${committed.toFixed(2)} spent or under way today, $${usd.toFixed(2)} asked)`;
  }
  if (request.purpose === "child_funding") {
    if (usd > settings.childAllocationCapUsd) {
      return `per-child allocation cap of $${settings.childAllocationCapUsd} would be broken ($${usd.toFixed(2)} asked)`;
    }
    const holdingsUsd = balances
      ? uactToUsd(balances.uact, settings) + uaktToUsd(balances.uakt, settings)
      : 0;
    if (holdingsUsd - usd < settings.treasuryMinimumUsd) {
      return `the treasury would fall under its minimum of $${settings.treasuryMinimumUsd} ($${holdingsUsd.toFixed(2)} held)`;
    }
  }
  return null;
}

export function isAktShort(balances: Balances, settings: TreasurySettings): boolean {
  return BigInt(balances.uakt) < BigInt(settings.minAktReserveUakt);
}
