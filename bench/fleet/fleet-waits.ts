import { fromPromise } from "xstate";
import type { WaitForInput, WaitUntilInput } from "../../src/machines/shared/index.js";
import type { WaitActors } from "../../src/runtime/hosted-lease-machine.js";
import type { EventClock } from "./event-clock.js";

function sleep(clock: EventClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const id = clock.setTimeout(resolve, ms);
    signal.addEventListener("abort", () => clock.clearTimeout(id), { once: true });
  });
}

/** The machines' waits on the simulated clock: they end only when the bench moves it. */
export function eventClockWaits(clock: EventClock): WaitActors {
  return {
    waitFor: fromPromise<void, WaitForInput>(({ input, signal }) => sleep(clock, input.ms, signal)),
    waitUntil: fromPromise<void, WaitUntilInput>(({ input, signal }) =>
      sleep(clock, input.until - clock.now(), signal),
    ),
  };
}
