export interface RetryPolicy {
  /** Retries of one step before it counts as a failed attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Capped exponential backoff: base × 2^retry, never above max. */
export function backoffDelayMs(retry: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
}
