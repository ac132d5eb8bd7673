import type { SurvivalTier } from "../../domain/index.js";
import type { EffectFailure, FundsRequest } from "../shared/index.js";
import type { Answer, Balances, DailySpend, TreasurySettings } from "./treasury.types.js";

export interface TreasuryInput {
  agentId: string;
  settings: TreasurySettings;
}

export interface TreasuryContext {
  agentId: string;
  settings: TreasurySettings;
  balances: Balances | null;
  spent: DailySpend;
  /** Requests waiting their turn; one is handled at a time. */
  queue: FundsRequest[];
  current: FundsRequest | null;
  /** Recent answers, so a request sent again gets the same answer instead of a second payment. */
  answers: Answer[];
  swaps: number;
  /** Spend committed but not yet recorded: the request being handled and the swap under way. */
  inFlight: { requestUsd: number; swapUsd: number };
  /** Why swaps cannot be made (no route); set after a swap failed for good, cleared when AKT recovers. */
  swapBlocked: string | null;
  retries: number;
  /**
   * Emergency swaps that failed in a row on the current shortfall: the next waits a backoff after the
   * last (cleared by a swap that succeeds or AKT back above the reserve). Absent in older snapshots.
   */
  swapFailures?: number;
  lastError: EffectFailure | null;
  /** The survival tier last alerted (null until the first balance reading). */
  tier: SurvivalTier | null;
}

/**
 * Answers kept for requests sent again. A requester (the lease, reproduction) has one request in flight
 * and sends it again only while it has no answer; the answer reaches it in the step that grants it, and
 * both are persisted together. So only the newest few answers can ever be asked for again; 16 leaves a
 * wide margin. Every answer kept is rewritten with the treasury's row at each of its barriers (DESIGN §17),
 * which is why this is not larger.
 */
export const ANSWERS_KEPT = 16;

export function initialTreasuryContext(input: TreasuryInput): TreasuryContext {
  return {
    agentId: input.agentId,
    settings: input.settings,
    balances: null,
    spent: { day: null, usd: 0 },
    queue: [],
    current: null,
    answers: [],
    swaps: 0,
    inFlight: { requestUsd: 0, swapUsd: 0 },
    swapBlocked: null,
    retries: 0,
    swapFailures: 0,
    lastError: null,
    tier: null,
  };
}
