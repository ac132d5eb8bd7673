import type { Logger } from "../logging/index.js";
import type { AgentRuntime } from "./agent-runtime.js";
import { isInState } from "./lease-view.js";

export interface ImageSettingOptions {
  readonly runtime: Pick<AgentRuntime, "waitForLease" | "send">;
  /** `agent.image` as this process was started with. */
  readonly image: string;
  readonly monitorMs: number;
  readonly rollbackWindowMs: number;
  readonly logger: Logger;
}

/**
 * A changed `agent.image` is an upgrade (issue 18): once the lease is active and records the image it
 * runs, a setting that names another one asks for the move, as the admin API's `upgrade` does. The lease
 * ignores it for an image an upgrade was rolled back from (only the operator asks for that one again).
 * Once per process start; a stopped agent ends the wait quietly.
 */
export function upgradeOnChangedImage(o: ImageSettingOptions): void {
  o.runtime
    .waitForLease((view) => isInState(view.state, "active"))
    .then((view) => {
      // A lease from before upgrades does not say which image it runs: nothing to compare.
      if (view.image === undefined || view.image === o.image) return;
      o.logger.info({ from: view.image, to: o.image }, "agent.image changed: upgrading the agent");
      o.runtime.send(
        {
          type: "LEASE.UPGRADE",
          image: o.image,
          currentImage: o.image,
          source: "config",
          monitorMs: o.monitorMs,
          rollbackWindowMs: o.rollbackWindowMs,
        },
        "config",
      );
    })
    .catch(() => undefined);
}
