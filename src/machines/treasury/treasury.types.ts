import type { RefusalCause, RetryPolicy } from "../shared/index.js";

/** Balances of the agent's accounts; amounts are integer strings in the smallest unit. */
export interface Balances {
  uakt: string;
  uact: string;
  /** ACT minted but not settled yet (BME settles per epoch). */
  pendingMintUact: string;
  /** CRO on Cronos, in wei, when a payment key is configured. */
  croWei: string | null;
  /** AKT on Cronos (token units = uakt), when the Cronos leg is configured (absent in older snapshots). */
  aktUnits?: string | null;
  /**
   * Why Cronos could not be read for this reading (its RPC down): the Akash side was read all the
   * same, and `croWei`/`aktUnits` are the last figures read (null when none was). Absent or null: read,
   * or no Cronos leg configured.
   */
  cronosUnreadable?: string | null;
  /** uact left in the escrows of the agent's open deployments (absent when not read). */
  escrowUact?: string;
  /** uact the agent's active leases cost per day, from their prices (absent when not read). */
  burnUactPerDay?: string;
  at: number;
  /**
   * uact the escrows of closed deployments gave back on the UTC day of `at`, as recorded in the
   * spending ledger (absent when not read): credited back against the daily spend cap.
   */
  refundedTodayUact?: string;
}

export interface TreasurySettings {
  dailySpendCapUsd: number;
  childAllocationCapUsd: number;
  /** The treasury never funds a child below this. */
  treasuryMinimumUsd: number;
  actUsd: number;
  aktUsd: number;
  pollIntervalMs: number;
  /** AKT kept for fees; under it an emergency CRO→AKT swap starts. */
  minAktReserveUakt: string;
  /** AKT bought by one emergency swap. */
  swapChunkUakt: string;
  retry: RetryPolicy;
  /** Reference USD price of CRO (runway counts CRO at it). Absent in snapshots before version 5. */
  croUsd?: number;
  /** Runway (days) under which the agent is frugal, and critical. Absent in snapshots before version 5. */
  tiers?: { frugalBelowDays: number; criticalBelowDays: number };
  /** ACT kept minted ahead of need (one deposit plus one top-up). Absent in snapshots before version 5. */
  actFloatUact?: string;
  /**
   * CRO (wei) each funded child is also sent (`reproduction.childCroWei`): it counts, at `croUsd`, in
   * a child funding's spend. Absent (none) in snapshots from before children were given CRO.
   */
  childCroWei?: string;
}

export interface DailySpend {
  /** UTC day (YYYY-MM-DD) the total belongs to; null until the first clock reading. */
  day: string | null;
  /** What was granted (committed) on that day, deployment deposits included. */
  usd: number;
  /**
   * What escrow refunds gave back on that day, as last read from the ledger (set, never added to, so
   * a refund read twice counts once); absent in snapshots from before it was kept.
   */
  creditUsd?: number;
}

export interface Answer {
  requestId: string;
  granted: boolean;
  reason: string | null;
  /** When granted funds were in place (absent in snapshots from before it was kept). */
  at?: number | null;
  /** Why a refusal was made (absent in snapshots from before it was kept). */
  cause?: RefusalCause;
}
