import { fromPromise } from "xstate";
import type { WaitForInput, WaitUntilInput } from "../machines/shared/index.js";

/** setTimeout's limit (about 24.8 days); a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves when `deadline` (ms since the epoch, by `now`) has passed, or at once when the actor is stopped. */
function sleepUntil(deadline: number, now: () => number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const left = deadline - now();
      if (left <= 0 || signal.aborted) return resolve();
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
    arm();
  });
}

/** Real-time waits: `waitUntil` waits for an absolute time (so a restored wait keeps its deadline). */
export function createWaitActors(now: () => number = Date.now) {
  return {
    waitUntil: fromPromise<void, WaitUntilInput>(({ input, signal }) => sleepUntil(input.until, now, signal)),
    waitFor: fromPromise<void, WaitForInput>(({ input, signal }) =>
      sleepUntil(now() + input.ms, now, signal),
    ),
  };
}
