import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { isIdleGoawayError } from "../../../src/services/akash/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet } from "../../support/devnet.js";

/** Review finding: a Console API that cannot be read used to send bid evaluation back to collecting forever. */
describe("the agent when the provider directory (Console API) is down", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let agent: TestAgent | undefined;
  const ignoreIdleGoaway = (error: unknown) => {
    if (!isIdleGoawayError(error)) throw error;
  };

  beforeAll(async () => {
    process.on("uncaughtException", ignoreIdleGoaway);
    devnet = await startTestDevnet({ blockTimeMs: 100 });
  });

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
    // The listener stays: the servers' GOAWAY can reach the closed client after this hook, and the
    // file's process ends with it.
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
