import { uactToUsd } from "../../domain/index.js";
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

export function uaktToUsd(uakt: string, settings: TreasurySettings): number {
  return (Number(uakt) / MICRO) * settings.aktUsd;
}

export function requestUsd(request: FundsRequest, settings: TreasurySettings): number {
  return uactToUsd(request.amountUact, settings.actUsd);
}

/**
 * Whether a request counts against the daily spend cap. A new deployment's deposit does not: it sits
 * in escrow and comes back when that deployment closes (a move holds two deposits for a while);
 * what the leases consume is paid by the top-ups, which count, as do swaps and child funding.
 */
export function countsAsSpend(request: FundsRequest): boolean {
  return request.purpose !== "deployment_deposit";
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
  const committed = spent.usd + inFlightUsd;
  if (countsAsSpend(request) && committed + usd > settings.dailySpendCapUsd) {
    return `daily spend cap of $${settings.dailySpendCapUsd} would be broken ($${committed.toFixed(2)} spent or under way today, $${usd.toFixed(2)} asked)`;
  }
  if (request.purpose === "child_funding") {
    if (usd > settings.childAllocationCapUsd) {
      return `per-child allocation cap of $${settings.childAllocationCapUsd} would be broken ($${usd.toFixed(2)} asked)`;
    }
    const holdingsUsd = balances
      ? uactToUsd(balances.uact, settings.actUsd) + uaktToUsd(balances.uakt, settings)
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
