import { describe, expect, it } from "vitest";
import { createActor, createMachine, sendTo } from "xstate";
import { reconnectDelayMs } from "../../src/machines/health/health.reconnect.js";
import { type HealthReport, healthMachine } from "../../src/machines/index.js";
import { healthSettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";

const target = { dseq: "1", gseq: 1, oseq: 1, provider: "akash1p", hostUri: "https://p:8443", uris: [] };
const healthy: HealthReport = {
  at: 1_000,
  provider: { reachable: true, responsive: true },
  lease: { state: "active", reclaimDeadline: null, deploymentOpen: true },
  services: { ready: 1, total: 1 },
  usage: null,
  escrowRunwayHours: 48,
  walletRunwayDays: 30,
};

/**
 * A health check that cannot read the chain draws no verdict: the monitor reconnects with the
 * recovery policy's backoff and, past the policy's limit, tells the operator once (and again when
 * the chain answers).
 */
describe("health monitor: the chain unreachable (network partition)", () => {
  it("waits the policy's backoff between failed checks, capped at the check interval", () => {
    const settings = { ...healthSettings, intervalMs: 30_000 };
    const delays = [1, 2, 3, 6, 11].map((failedChecks) =>
      reconnectDelayMs({
        settings,
        target,
        track: {} as never,
        lastReport: null,
        nextCheckAt: null,
        checks: 0,
        lastError: null,
        failedChecks,
      }),
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 30_000, 30_000]);
  });

  it("escalates once after the policy's reconnect limit, and says when the chain answers again", async () => {
    const recorded = new RecordedActors();
    const monitor = withActors(healthMachine, recorded.scriptedAll(["checkHealth", "waitFor", "waitUntil"]));
    const alerts: string[] = [];
    const parent = createMachine({
      invoke: { id: "health", src: monitor, input: { settings: healthSettings } },
      on: {
        "ALERT.RAISED": {
          actions: ({ event }) =>
            alerts.push(
              `${event.severity}: ${event.title} [${event.incident ?? "-"}${event.resolves ? ", resolves" : ""}]`,
            ),
        },
        WATCH: { actions: sendTo("health", { type: "HEALTH.WATCH", target }) },
      },
    });
    const actor = createActor(parent);
    actor.start();
    actor.send({ type: "WATCH" });
    await settled();
    const settleNext = async (src: string, settlement: { done: unknown } | { error: unknown }) => {
      const invocation = recorded.running(true).find((running) => running.src === src);
      if (!invocation) throw new Error(`${src} is not running`);
      recorded.settle(invocation, settlement);
      await settled();
    };
    for (let failed = 1; failed <= 12; failed += 1) {
      await settleNext("checkHealth", { error: new Error("fetch failed (connect ECONNREFUSED)") });
      await settleNext("waitFor", { done: undefined });
    }
    // One incident: the notice that the chain answers again resolves it (the outbox sends it where the alert went).
    expect(alerts).toEqual(["critical: Chain unreachable [chain-unreachable]"]);
    await settleNext("checkHealth", { done: healthy });
    expect(alerts).toEqual([
      "critical: Chain unreachable [chain-unreachable]",
      "low: Chain reachable again [chain-unreachable, resolves]",
    ]);
    actor.stop();
  });
});
