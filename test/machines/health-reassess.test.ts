import { describe, expect, it } from "vitest";
import { createActor, createMachine, sendTo } from "xstate";
import { type HealthReport, healthMachine } from "../../src/machines/index.js";
import { healthSettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";

const target = { dseq: "1", gseq: 1, oseq: 1, provider: "akash1p", hostUri: "https://p:8443", uris: [] };
const unreachable: HealthReport = {
  at: 1_000,
  provider: { reachable: false, responsive: false },
  lease: { state: "active", reclaimDeadline: null, deploymentOpen: true },
  services: { ready: 0, total: 0 },
  usage: null,
  escrowRunwayHours: 48,
  walletRunwayDays: 30,
};

/**
 * A take-back resumes from the lost leader's backup, whose health monitor had already reported the
 * provider offline (to a lease that could not move then, and came back to rest on that lease). Each
 * condition is reported once, and the same lease watched again keeps that: the take-back's lease never
 * heard it, and its run waited forever for a move (the family resurrection e2e stalled in
 * `watch: resurrecting`). HEALTH.REASSESS reports anew what still holds.
 */
describe("health monitor: reassessing a lease whose conditions were reported before", () => {
  it("reports an offline provider again on HEALTH.REASSESS, and only then", async () => {
    const recorded = new RecordedActors();
    const monitor = withActors(healthMachine, recorded.scriptedAll(["checkHealth", "waitFor", "waitUntil"]));
    const notices: string[] = [];
    const parent = createMachine({
      invoke: { id: "health", src: monitor, input: { settings: healthSettings } },
      on: {
        "HEALTH.PROVIDER_OFFLINE": { actions: ({ event }) => notices.push(`offline ${event.provider}`) },
        WATCH: { actions: sendTo("health", { type: "HEALTH.WATCH", target }) },
        REASSESS: { actions: sendTo("health", { type: "HEALTH.REASSESS" }) },
      },
    });
    const actor = createActor(parent);
    actor.start();
    const settleNext = async (src: string, settlement: { done: unknown }) => {
      const invocation = recorded.running(true).find((running) => running.src === src);
      if (!invocation) throw new Error(`${src} is not running`);
      recorded.settle(invocation, settlement);
      await settled();
    };
    const failedChecks = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        await settleNext("checkHealth", { done: unreachable });
        await settleNext("waitUntil", { done: undefined });
      }
    };

    actor.send({ type: "WATCH" });
    await settled();
    await failedChecks(healthSettings.failuresBeforeAlarm);
    expect(notices).toEqual(["offline akash1p"]);

    // The lease rests on the same lease again (an abandoned move): nothing is reported anew.
    actor.send({ type: "WATCH" });
    await settled();
    await failedChecks(3);
    expect(notices).toEqual(["offline akash1p"]);

    // Reassessed: the next check reports what still holds, once.
    actor.send({ type: "REASSESS" });
    await settled();
    await failedChecks(3);
    expect(notices).toEqual(["offline akash1p", "offline akash1p"]);
    actor.stop();
  });

  it("is ignored while nothing is watched", async () => {
    const recorded = new RecordedActors();
    const actor = createActor(
      withActors(healthMachine, recorded.scriptedAll(["checkHealth", "waitFor", "waitUntil"])),
      { input: { settings: healthSettings } },
    );
    actor.start();
    actor.send({ type: "HEALTH.REASSESS" });
    await settled();
    expect(actor.getSnapshot().value).toBe("idle");
    expect(recorded.running(true)).toEqual([]);
    actor.stop();
  });
});
