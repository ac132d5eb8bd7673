import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

type LeaseContext = { context: { resources: { cpuUnits: number; memoryGi: number; storageGi: number } } };

describe("treasury: a critical tier makes the next deployment the cheapest viable one", () => {
  let devnet: DevnetHandle;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    devnet = await startTestDevnet({ blockTimeMs: 100 });
  });

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("sizes the first deployment for its traffic, then moves to the floor of every range once critical", async () => {
    agent = await startTestAgent(devnet, {
      settings: {
        // Sized for 500 events/s: 5 cpu units.
        "traffic.eventsPerSecond": 500,
        // Any finite runway is critical: the tier turns critical once the lease burns.
        "treasury.frugalBelowDays": 1_000_000,
        "treasury.criticalBelowDays": 999_999,
      },
    });
    const first = await agent.until("active");
    const leaseResources = () =>
      (agent!.runtime.actor.getSnapshot().children.lease!.getSnapshot() as LeaseContext).context.resources;
    const sized = leaseResources();
    expect(sized.cpuUnits).toBe(5);

    await waitFor(
      () =>
        agent!.store.alerts.recent(20).some((alert) => alert.title === "Treasury critical")
          ? true
          : undefined,
      20_000,
      "the critical tier's alert",
    );
    devnet.degradeProvider(first.provider!, { mode: "failing" });
    try {
      await agent.until("active", (view) => view.dseq !== first.dseq);
      // The storage asked for stays: it holds the relay's data.
      expect(leaseResources()).toEqual({ cpuUnits: 2, memoryGi: 4, storageGi: sized.storageGi });
    } finally {
      devnet.degradeProvider(first.provider!, { mode: "healthy" });
    }
  });
});
