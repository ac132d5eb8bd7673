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
  /**
   * The first wait, grown by a quarter after each read up to `intervalMs`: for a state that may come
   * any moment (a workload starting), seen within a quarter of the time waited so far, without keeping
   * up a fast poll when it takes long. Absent: `intervalMs`.
   */
  firstIntervalMs?: number;
}

const GROWTH = 1.25;

/** Reads until `done` says so or the deadline passes; returns the last reading either way. */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  let interval = Math.min(options.firstIntervalMs ?? options.intervalMs, options.intervalMs);
  for (;;) {
    const value = await options.read();
    if (options.done(value) || options.now() >= options.deadline || options.signal.aborted) return value;
    const ms = Math.min(interval, Math.max(0, options.deadline - options.now()));
    await (options.pause ?? abortablePause)(ms, options.signal);
    interval = Math.min(Math.ceil(interval * GROWTH), options.intervalMs);
  }
}
