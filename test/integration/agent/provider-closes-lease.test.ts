import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";

/**
 * Fault matrix `provider-closes-lease`: a provider's close pauses the deployment's group (as on Akash),
 * so the rebid the policy plans got no order ("No bids", then no lease). The agent now starts the
 * group again (MsgStartGroup) and leases on the next order of the same deployment.
 */
describe("the agent when its provider closes the lease", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let agent: TestAgent | undefined;
  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
  });

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("starts the paused group and is active again on another provider, same deployment", async () => {
    agent = await startTestAgent(devnet);
    const first = await agent.until("active.monitoring");
    await devnet.closeLease({ owner: agent.address, dseq: first.dseq!, provider: first.provider! });

    const again = await agent.until(
      "active.monitoring",
      (view) => view.dseq === first.dseq && view.provider !== first.provider,
    );
    expect(again.dseq).toBe(first.dseq);

    const chain = agent.connection.chain;
    expect(await chain.groups(first.dseq!)).toEqual([
      expect.objectContaining({ dseq: first.dseq, gseq: 1, state: "open" }),
    ]);
    const active = (await chain.leases(first.dseq!)).filter((lease) => lease.state === "active");
    expect(active.map((lease) => [lease.oseq, lease.provider])).toEqual([[2, again.provider]]);
    expect(agent.store.intents.pending("start_group")).toEqual([]);
    const titles = agent.store.alerts.recent().map((alert) => alert.title);
    expect(titles).toContain("Lease closed");
    expect(titles).not.toContain("No bids");
    expect(titles).not.toContain("Deployment failed");
  });
});
