import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";

interface WebhookAlert {
  severity: string;
  title: string;
  message: string;
  incident: string;
}

/**
 * The fault matrix's full disk: the agent stops rather than act on state it cannot save, and its
 * outbox cannot hold the alert either (its row is a write). It sends that one alert straight to its
 * channels. Here the store takes no writes (SQLite's query_only), and a move needs one.
 */
describe("the agent whose store stops taking writes", { timeout: 120_000 }, () => {
  let devnet: DevnetHandle;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100, receivers: true });
  });

  afterAll(async () => {
    await agent?.close().catch(() => undefined);
    await devnet?.stop();
  });

  it("stops, and alerts its channels without the outbox", async () => {
    agent = await startTestAgent(devnet, {
      settings: { "alerts.webhooks": [devnet.receivers!.webhook], "alerts.minSeverity": "high" },
    });
    const active = await agent.until("active.monitoring");
    devnet.receiversControl!.clearReceived();

    agent.store.db.pragma("query_only = ON");
    await devnet.setProviderOnline(active.provider!, false);

    const alert = await waitFor(
      () =>
        devnet
          .receiversControl!.received("webhook")
          .map((message) => message.body as WebhookAlert)
          .find((body) => body.title === "Agent state cannot be saved"),
      60_000,
      "the store-failure alert at the webhook",
    );
    expect(alert).toMatchObject({ severity: "critical", incident: "agent/store-failure" });
    expect(alert.message).toMatch(/its store refused a write \(SQLITE_READONLY\)/);
    expect(alert.message).not.toContain(agent.dataDir);
    await agent.runtime.stopAlertSent();
    expect(agent.runtime.actor.getSnapshot().status).toBe("stopped");
    // Nothing was done for the move it could not record: the lease it had is still the one on chain.
    expect(agent.store.intents.pending()).toEqual([]);
    agent.store.db.pragma("query_only = OFF");
    await devnet.setProviderOnline(active.provider!, true);
  });
});
