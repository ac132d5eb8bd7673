import { exponentialBackoffMs, toEffectFailure } from "../../domain/index.js";

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

/**
 * The `onError` branch for a retryable failure with retries left: count it and wait in the sibling
 * `backing_off` state. For machines with an `isRetryable` guard and a `countRetry` action.
 */
export const retryAfterBackoff = {
  guard: {
    type: "isRetryable" as const,
    params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }),
  },
  target: "backing_off",
  actions: "countRetry" as const,
};

/** Whether a failed effect is worth the same step again: a retryable kind, with retries left in the policy. */
export function canRetryEffect(error: unknown, retries: number, policy: RetryPolicy): boolean {
  return toEffectFailure(error).kind === "retryable" && retries < policy.maxRetries;
}
