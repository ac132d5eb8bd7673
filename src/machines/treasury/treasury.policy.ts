import { runwayDays, type SurvivalTier, survivalTier, tierAllowance, uactToUsd } from "../../domain/index.js";
import type { FundsRequest } from "../shared/index.js";
import type { Balances, DailySpend, TreasurySettings } from "./treasury.types.js";

const MICRO = 1_000_000;
const WEI_PER_CRO = 1e18;

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
  return { ...today, creditUsd: uactToUsd(balances.refundedTodayUact, settings.actUsd) };
}

export function uaktToUsd(uakt: string, settings: TreasurySettings): number {
  return (Number(uakt) / MICRO) * settings.aktUsd;
}

/** USD of the CRO a child funding sends besides its ACT grant (`reproduction.childCroWei` at `croUsd`). */
export function childCroUsd(settings: TreasurySettings): number {
  if (!settings.childCroWei || settings.childCroWei === "0") return 0;
  return (Number(settings.childCroWei) / WEI_PER_CRO) * (settings.croUsd ?? 0);
}

/** What a request spends in USD: its ACT, plus the child's CRO for a child funding. */
export function requestUsd(request: FundsRequest, settings: TreasurySettings): number {
  const act = uactToUsd(request.amountUact, settings.actUsd);
  return request.purpose === "child_funding" ? act + childCroUsd(settings) : act;
}

/** How a child funding's CRO shows in a refusal: empty when it sends none. */
function croPart(request: FundsRequest, settings: TreasurySettings): string {
  const usd = request.purpose === "child_funding" ? childCroUsd(settings) : 0;
  return usd > 0 ? `, $${usd.toFixed(2)} of it CRO (reproduction.childCroWei)` : "";
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
    return `daily spend cap of $${settings.dailySpendCapUsd} would be broken ($${committed.toFixed(2)} spent or under way today, $${usd.toFixed(2)} asked${croPart(request, settings)})`;
  }
  if (request.purpose === "child_funding") {
    if (usd > settings.childAllocationCapUsd) {
      return `per-child allocation cap of $${settings.childAllocationCapUsd} would be broken ($${usd.toFixed(2)} asked${croPart(request, settings)})`;
    }
    const holdingsUsd = balances
      ? uactToUsd(balances.uact, settings.actUsd) + uaktToUsd(balances.uakt, settings)
      : 0;
    // The minimum is of what the ACT grant draws on (AKT and ACT); the CRO leaves the Cronos side.
    const actUsd = usd - childCroUsd(settings);
    if (holdingsUsd - actUsd < settings.treasuryMinimumUsd) {
      return `the treasury would fall under its minimum of $${settings.treasuryMinimumUsd} ($${holdingsUsd.toFixed(2)} held)`;
    }
  }
  return null;
}

/**
 * AKT is short when it is under the fee reserve, or, with CRO on hand to swap, when the ACT held plus
 * what the AKT above the reserve can mint no longer covers the float (the next deposit and top-up).
 */
export function isAktShort(balances: Balances, settings: TreasurySettings): boolean {
  const reserve = BigInt(settings.minAktReserveUakt);
  const uakt = BigInt(balances.uakt);
  if (uakt < reserve) return true;
  const croOnHand = balances.croWei !== null && BigInt(balances.croWei) > 0n;
  if (!croOnHand || !settings.actFloatUact) return false;
  const floatShortUact = BigInt(settings.actFloatUact) - BigInt(balances.uact);
  if (floatShortUact <= 0n) return false;
  return (
    uaktToUsd((uakt - reserve).toString(), settings) < uactToUsd(floatShortUact.toString(), settings.actUsd)
  );
}

/**
 * The reading to keep: when Cronos could not be read, its last figures read stand in (marked stale by
 * `cronosUnreadable`), so runway and tier do not fall as if the CRO on Cronos were gone.
 */
export function withLastCronosFigures(reading: Balances, previous: Balances | null): Balances {
  if (!reading.cronosUnreadable || !previous) return reading;
  return { ...reading, croWei: previous.croWei, aktUnits: previous.aktUnits ?? null };
}

const DEFAULT_TIERS = { frugalBelowDays: 30, criticalBelowDays: 7 };

/**
 * What the treasury holds, in USD: AKT and ACT on Akash, the escrows of its deployments, CRO and AKT
 * on Cronos (CRO at the reference price).
 */
export function holdingsUsd(balances: Balances, settings: TreasurySettings): number {
  const actUsd = (uact: string | undefined) => (uact ? uactToUsd(uact, settings.actUsd) : 0);
  const croUsd = balances.croWei ? (Number(balances.croWei) / WEI_PER_CRO) * (settings.croUsd ?? 0) : 0;
  const cronosAkt = balances.aktUnits ? uaktToUsd(balances.aktUnits, settings) : 0;
  return (
    uaktToUsd(balances.uakt, settings) +
    actUsd(balances.uact) +
    actUsd(balances.escrowUact) +
    croUsd +
    cronosAkt
  );
}

/** Runway in days at the leases' burn rate; null while nothing burns. */
export function treasuryRunwayDays(balances: Balances, settings: TreasurySettings): number | null {
  const burnUsd = balances.burnUactPerDay ? uactToUsd(balances.burnUactPerDay, settings.actUsd) : 0;
  return runwayDays(holdingsUsd(balances, settings), burnUsd);
}

export function treasuryTier(balances: Balances, settings: TreasurySettings): SurvivalTier {
  return survivalTier(treasuryRunwayDays(balances, settings), settings.tiers ?? DEFAULT_TIERS);
}

/** The alert raised when the tier changes, with the numbers behind it. */
export function tierChangeAlert(
  from: SurvivalTier | null,
  to: SurvivalTier,
  balances: Balances,
  settings: TreasurySettings,
): { severity: "medium" | "high" | "critical"; title: string; message: string } {
  const runway = treasuryRunwayDays(balances, settings);
  const tiers = settings.tiers ?? DEFAULT_TIERS;
  const allowed = tierAllowance(to);
  const what =
    to === "normal"
      ? "every kind of spending is allowed again"
      : `${allowed.reproduction ? "" : "no reproduction"}${allowed.cheapestSdl ? ", the next deployment takes the cheapest viable SDL" : ""}`;
  return {
    severity: to === "critical" ? "critical" : to === "frugal" ? "high" : "medium",
    title: `Treasury ${to}`,
    message: `The treasury went from ${from ?? "unknown"} to ${to}: $${holdingsUsd(balances, settings).toFixed(2)} held, ${runway === null ? "no burn" : `${runway.toFixed(2)} days of runway`} (frugal under ${tiers.frugalBelowDays} days, critical under ${tiers.criticalBelowDays}); ${what}.`,
  };
}
