import type { Logger } from "../logging/index.js";
import type { LeaderLocation } from "../services/store/index.js";
import type { AgentRuntime } from "./agent-runtime.js";
import { isInState, type LeaseView } from "./lease-view.js";

/** Whether the lease rests (active, monitoring) on the lost leader's lease. */
export function restsOnLostLease(view: LeaseView, lost: LeaderLocation): boolean {
  return (
    isInState(view.state, "active.monitoring") && view.dseq === lost.dseq && view.provider === lost.provider
  );
}

/**
 * After a take-back (DESIGN §12), the agent resumes from the lost leader's state, health reports and
 * all. When that leader's monitor had reported its provider offline already (to a lease that could
 * not move then, and came back to rest on that lease: a move abandoned for want of funds), the monitor
 * would not report it again and the lease would rest there for good. So each time the lease comes to
 * rest on the lost leader's lease (as restored, or back after an abandoned move), the health monitor
 * is asked to reassess it: what the take-back found (the lease gone) is reported anew and the lease
 * moves. Stops by itself when the agent stops.
 */
export function reassessOnLostLease(o: {
  runtime: Pick<AgentRuntime, "waitForLease" | "send">;
  lost: LeaderLocation;
  logger: Logger;
}): { stop(): void } {
  const { runtime, lost, logger } = o;
  let stopped = false;
  const rests = (view: LeaseView) => restsOnLostLease(view, lost);
  void (async () => {
    for (;;) {
      await runtime.waitForLease((view) => stopped || rests(view));
      if (stopped) return;
      logger.info(
        { lost },
        "the lease rests on the lost leader's lease: the health monitor reassesses it (the lease is gone)",
      );
      runtime.send({ type: "HEALTH.REASSESS" }, "take-back");
      await runtime.waitForLease((view) => stopped || !rests(view));
      if (stopped) return;
    }
  })().catch(() => {
    // The agent stopped: nothing rests anywhere any more.
  });
  return {
    stop() {
      stopped = true;
    },
  };
}
