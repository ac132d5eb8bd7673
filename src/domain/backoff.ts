import { requirePositive, requirePositiveInteger } from "./input-checks.js";

export interface BackoffOptions {
  /** Delay before the first attempt. Default 1 000 ms. */
  readonly baseMs?: number;
  /** No delay exceeds this. Default 60 000 ms (the design notes' cap). */
  readonly capMs?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 1_000, capMs: 60_000 } as const;

/**
 * Exponential backoff: attempt n (1-based) waits base × 2^(n−1) ms, capped: 1 s, 2 s, 4 s, …,
 * 32 s, then 60 s for every later attempt with the defaults.
 */
export function exponentialBackoffMs(attempt: number, options: BackoffOptions = {}): number {
  const n = requirePositiveInteger("attempt", attempt);
  const base = requirePositive("backoff.baseMs", options.baseMs ?? DEFAULT_BACKOFF.baseMs);
  const cap = requirePositive("backoff.capMs", options.capMs ?? DEFAULT_BACKOFF.capMs);
  // 2^1024 is Infinity, which Math.min turns into the cap; no overflow to worry about.
  return Math.min(cap, base * 2 ** (n - 1));
}
