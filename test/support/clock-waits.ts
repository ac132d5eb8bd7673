import type { PromiseActorLogic, SimulatedClock } from "xstate";
import type { WaitForInput, WaitUntilInput } from "../../src/machines/shared/index.js";
import type { RecordedActors } from "./recorded-actors.js";

function sleep(clock: SimulatedClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // A deadline already passed is due now, as with a real timer of 0 ms.
    if (ms <= 0) {
      resolve();
      return;
    }
    const id = clock.setTimeout(resolve, ms);
    signal.addEventListener("abort", () => clock.clearTimeout(id), { once: true });
  });
}

/**
 * The machines' `waitFor` and `waitUntil` contracts implemented on a simulated clock: they elapse
 * only when the test moves the clock (`clock.increment`/`clock.set`). Their starts are recorded, so a
 * test can read the `until` a restored actor waits for.
 */
export function clockWaits(
  clock: SimulatedClock,
  recorder: RecordedActors,
): {
  waitFor: PromiseActorLogic<void, WaitForInput>;
  waitUntil: PromiseActorLogic<void, WaitUntilInput>;
} {
  return {
    waitFor: recorder.automatic<void, WaitForInput>("waitFor", (input, signal) =>
      sleep(clock, input.ms, signal),
    ),
    waitUntil: recorder.automatic<void, WaitUntilInput>("waitUntil", (input, signal) =>
      sleep(clock, input.until - clock.now(), signal),
    ),
  };
}
