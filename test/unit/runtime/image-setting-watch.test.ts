import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logging/index.js";
import type { AgentCommand } from "../../../src/machines/index.js";
import type { AgentRuntime } from "../../../src/runtime/agent-runtime.js";
import { upgradeOnChangedImage } from "../../../src/runtime/image-setting-watch.js";
import type { LeaseView } from "../../../src/runtime/lease-view.js";

const logger = createLogger({ level: "silent", json: true });
const view = (image?: string): LeaseView => ({
  state: "active.monitoring",
  dseq: "1",
  provider: "akash1p",
  uris: [],
  escrowRunwayHours: 5,
  ...(image ? { image } : {}),
});

/** The runtime surface the watch uses: a lease that is (or becomes) active, and what was sent. */
function runtimeServing(lease: () => LeaseView | Promise<LeaseView>) {
  const sent: AgentCommand[] = [];
  const runtime: Pick<AgentRuntime, "waitForLease" | "send"> = {
    waitForLease: async (until) => {
      const current = await lease();
      if (!until(current)) throw new Error("never");
      return current;
    },
    send: (command) => sent.push(command),
  };
  return { runtime, sent };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("a changed agent.image asks for an upgrade", () => {
  it("sends LEASE.UPGRADE (source config) once the active lease runs another image", async () => {
    const { runtime, sent } = runtimeServing(() => view("repo/agent:1"));
    upgradeOnChangedImage({ runtime, image: "repo/agent:2", monitorMs: 5, rollbackWindowMs: 7, logger });
    await settle();
    expect(sent).toEqual([
      {
        type: "LEASE.UPGRADE",
        image: "repo/agent:2",
        currentImage: "repo/agent:2",
        source: "config",
        monitorMs: 5,
        rollbackWindowMs: 7,
      },
    ]);
  });

  it("sends nothing for the same image, a lease that records none, or an agent that stopped", async () => {
    const leases = [
      () => view("repo/agent:2"),
      () => view(),
      () => Promise.reject(new Error('the agent stopped in state "stopped"')),
    ];
    for (const lease of leases) {
      const { runtime, sent } = runtimeServing(lease);
      upgradeOnChangedImage({ runtime, image: "repo/agent:2", monitorMs: 5, rollbackWindowMs: 7, logger });
      await settle();
      expect(sent).toEqual([]);
    }
  });
});
