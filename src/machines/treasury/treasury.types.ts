import type { RetryPolicy } from "../shared/index.js";

/** Balances of the agent's accounts; amounts are integer strings in the smallest unit. */
export interface Balances {
  uakt: string;
  uact: string;
  /** ACT minted but not settled yet (BME settles per epoch). */
  pendingMintUact: string;
  /** CRO on Cronos, in wei, when a payment key is configured. */
  croWei: string | null;
  at: number;
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
}

export interface DailySpend {
  /** UTC day (YYYY-MM-DD) the total belongs to; null until the first clock reading. */
  day: string | null;
  usd: number;
}

export interface Answer {
  requestId: string;
  granted: boolean;
  reason: string | null;
  /** When granted funds were in place (absent in snapshots from before it was kept). */
  at?: number | null;
}
