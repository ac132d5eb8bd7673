import { exponentialBackoffMs } from "../../domain/index.js";

export interface RetryPolicy {
  /** Retries of one step before it counts as a failed attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before retry number `retry` (0-based) of a step: the domain's capped exponential backoff. */
export function backoffDelayMs(retry: number, policy: RetryPolicy): number {
  return exponentialBackoffMs(retry + 1, { baseMs: policy.baseDelayMs, capMs: policy.maxDelayMs });
}
