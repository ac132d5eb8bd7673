import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";

/** Review finding: a Console API that cannot be read used to send bid evaluation back to collecting forever. */
describe("the agent when the provider directory (Console API) is down", { timeout: 90_000 }, () => {
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

  it("scores the bids from chain data alone, leases, and says so in an alert", async () => {
    devnet.injectRpcFault({ target: "console", kind: "error" });
    // The node itself still answers: the fault is the Console API's alone.
    agent = await startTestAgent(devnet);
    const active = await agent.until("active");
    expect(active.provider).toMatch(/^akash1/);

    const alerts = agent.store.alerts.recent();
    const directory = alerts.filter((alert) => alert.title === "Provider directory unavailable");
    expect(directory.length).toBeGreaterThan(0);
    expect(directory[0]!.message).toMatch(/HTTP 503/);
    expect(alerts.map((alert) => alert.title)).not.toContain("No bids");
  });
});
