import { requirePositive, requirePositiveInteger } from "./input-checks.js";

export interface TokenBucketLimit {
  /** Most tokens held (sends allowed at once). */
  readonly burst: number;
  /** Tokens added per hour. */
  readonly perHour: number;
}

export interface TokenBucketState {
  readonly tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  readonly at: number;
}

export type TokenDecision =
  | { readonly allowed: true; readonly state: TokenBucketState }
  | { readonly allowed: false; readonly state: TokenBucketState; readonly retryAt: number };

const HOUR_MS = 3_600_000;

/** A full bucket at `now`. */
export function fullBucket(limit: TokenBucketLimit, now: number): TokenBucketState {
  return { tokens: requirePositiveInteger("rateLimit.burst", limit.burst), at: now };
}

/**
 * Takes one token if there is one (after refilling for the time since `state.at`); otherwise says when
 * the next token arrives.
 */
export function takeToken(state: TokenBucketState, limit: TokenBucketLimit, now: number): TokenDecision {
  const burst = requirePositiveInteger("rateLimit.burst", limit.burst);
  const perMs = requirePositive("rateLimit.perHour", limit.perHour) / HOUR_MS;
  const elapsed = Math.max(0, now - state.at);
  const tokens = Math.min(burst, state.tokens + elapsed * perMs);
  if (tokens >= 1) return { allowed: true, state: { tokens: tokens - 1, at: now } };
  return { allowed: false, state: { tokens, at: now }, retryAt: now + Math.ceil((1 - tokens) / perMs) };
}
