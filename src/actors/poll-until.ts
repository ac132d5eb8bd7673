import { abortablePause } from "../services/abortable-pause.js";
export interface PollOptions<T> {
  read: () => Promise<T>;
  done: (value: T) => boolean;
  intervalMs: number;
  /** Absolute time (ms) after which the last reading is returned even if not done. */
  deadline: number;
  now: () => number;
  /** The actor's signal: a stopped actor stops polling. */
  signal: AbortSignal;
  /**
   * Waits between reads, at most the given ms (the chain's `nextBlock`: the next read comes with the
   * next block); absent: a plain pause of `intervalMs`.
   */
  pause?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Reads until `done` says so or the deadline passes; returns the last reading either way. */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  for (;;) {
    const value = await options.read();
    if (options.done(value) || options.now() >= options.deadline || options.signal.aborted) return value;
    const ms = Math.min(options.intervalMs, Math.max(0, options.deadline - options.now()));
    await (options.pause ?? abortablePause)(ms, options.signal);
  }
}
