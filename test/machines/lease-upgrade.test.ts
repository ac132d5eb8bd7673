import { describe, expect, it } from "vitest";
import { createActor, createMachine, type SnapshotFrom } from "xstate";
import { EffectError } from "../../src/domain/index.js";
import { type LeaseMachine, leaseMachine } from "../../src/machines/index.js";
import type { GenerateSdlInput } from "../../src/machines/lease/lease.actors.js";
import { leaseInput } from "../support/machine-fixtures.js";
import { RecordedActors, scriptedBySystem, settled, withActors } from "../support/recorded-actors.js";
import { successfulOutput } from "../support/successful-effects.js";
import { healthyCheck, leaseEffects, successfulEvent } from "./restore/lease-success-policy.js";

type LeaseSnapshot = SnapshotFrom<LeaseMachine>;
const OLD = "ghcr.io/akash-agent/agent-relay:0.1.0";
const NEW = "ghcr.io/akash-agent/agent-relay:0.2.0";
const upgrade = (image: string, source: "admin" | "config" = "admin") =>
  ({
    type: "LEASE.UPGRADE",
    image,
    currentImage: OLD,
    source,
    monitorMs: 1_000,
    rollbackWindowMs: 2_000,
  }) as const;

/**
 * A lease inside a parent that records its notices, every effect scripted: settled as on a good day
 * unless `fail` says otherwise; the SDL records the image it was asked for.
 */
function hostedLease() {
  const notices: Array<{ type: string; [key: string]: unknown }> = [];
  const host = createActor(
    createMachine({
      invoke: { src: "lease", id: "lease", systemId: "lease", input: leaseInput },
      on: { "*": { actions: ({ event }) => notices.push(event as never) } },
    }).provide({ actors: { lease: withActors(leaseMachine, scriptedBySystem(leaseEffects)) } }),
  );
  const recorded = new RecordedActors().bindTo(host.system);
  host.start();
  const lease = host.getSnapshot().children.lease!;
  const snapshot = () => lease.getSnapshot() as LeaseSnapshot;
  const drive = async (until: (s: LeaseSnapshot) => boolean, fail: Record<string, EffectError> = {}) => {
    for (let step = 0; step < 300; step += 1) {
      const now = snapshot();
      if (until(now)) return;
      const event = successfulEvent(now);
      if (event) lease.send(event);
      else {
        const next = recorded.running(true)[0];
        if (!next) throw new Error(`stuck in ${JSON.stringify(now.value)}`);
        const error = fail[next.src];
        if (error) recorded.settle(next, { error });
        else if (next.src === "generateSdl") {
          const sdlInput = next.input as GenerateSdlInput;
          const done = successfulOutput(next.src, next.input, 0) as object;
          recorded.settle(next, { done: { ...done, image: sdlInput.image ?? OLD } });
        } else recorded.settle(next, { done: successfulOutput(next.src, next.input, 0) });
      }
      await settled();
    }
    throw new Error(`no end in sight: ${JSON.stringify(snapshot().value)}`);
  };
  return { lease, snapshot, drive, notices, recorded };
}

const monitoring = (s: LeaseSnapshot) => s.matches({ active: "monitoring" });

describe("lease machine: an upgrade (issue 18)", () => {
  it("deploys the new image, runs its canary, hands over, waits out the rollback window, closes the old deployment", async () => {
    const run = hostedLease();
    await run.drive(monitoring);
    const old = run.snapshot().context.lease!;
    expect(old.image).toBe(OLD);

    run.lease.send(upgrade(NEW));
    expect(run.snapshot().context.upgrade).toMatchObject({ from: OLD, to: NEW, state: "deploying" });
    await run.drive((s) => s.matches({ draining: "canary" }));
    expect(run.recorded.running(true)[0]?.input).toMatchObject({ image: NEW, monitorMs: 1_000 });
    await run.drive((s) => s.matches({ draining: "handing_over" }));
    expect(run.recorded.running(true)[0]?.input).toMatchObject({
      upgrade: { image: NEW, rollbackWindowMs: 2_000 },
      previous: { dseq: old.dseq },
    });
    await run.drive((s) => s.matches({ draining: "rollback_window" }));
    expect(run.snapshot().context.upgrade?.state).toBe("rollback_window");
    await run.drive(monitoring);
    expect(run.snapshot().context.lease).toMatchObject({ image: NEW });
    expect(run.snapshot().context.lease?.dseq).not.toBe(old.dseq);
    expect(run.snapshot().context.upgrade).toMatchObject({ state: "upgraded", reason: null });
    expect(run.notices.filter((n) => n.type === "LEASE.UPGRADE_ENDED")).toEqual([
      { type: "LEASE.UPGRADE_ENDED", from: OLD, to: NEW, state: "upgraded", reason: null },
    ]);
  });

  it("rolls back an unhealthy canary: the new deployment closed, one alert, the image remembered", async () => {
    const run = hostedLease();
    await run.drive(monitoring);
    const old = run.snapshot().context.lease!;
    run.lease.send(upgrade(NEW));
    await run.drive(monitoring, { runCanary: new EffectError("fatal", "the canary's self-test failed") });
    const { context } = run.snapshot();
    expect(context.lease).toEqual(old);
    expect(context.upgrade).toMatchObject({ state: "rolled_back", reason: "the canary's self-test failed" });
    expect(context.failedImages).toEqual([NEW]);
    const titles = run.notices.filter((n) => n.type === "ALERT.RAISED").map((n) => n.title);
    expect(titles.filter((title) => title === "Upgrade rolled back")).toHaveLength(1);
    expect(titles).not.toContain("Move abandoned");

    // A changed setting does not ask for that image again; the operator may.
    run.lease.send(upgrade(NEW, "config"));
    expect(monitoring(run.snapshot())).toBe(true);
    run.lease.send(upgrade(NEW, "admin"));
    expect(run.snapshot().matches("generating_sdl")).toBe(true);
    expect(run.snapshot().context.failedImages).toEqual([]);
  });

  it("tries no other provider for a new image that never becomes ready", async () => {
    const run = hostedLease();
    await run.drive(monitoring);
    run.lease.send(upgrade(NEW));
    let leasesCreated = 0;
    await run.drive(
      (s) => {
        if (run.recorded.running(true)[0]?.src === "createLease") leasesCreated += 1;
        return monitoring(s);
      },
      { awaitServices: new EffectError("provider", "0 of 1 services ready") },
    );
    expect(run.snapshot().context.upgrade?.state).toBe("rolled_back");
    expect(leasesCreated).toBe(1);
  });

  it("does nothing for the image it runs", async () => {
    const run = hostedLease();
    await run.drive(monitoring);
    run.lease.send(upgrade(OLD));
    expect(monitoring(run.snapshot())).toBe(true);
    expect(run.snapshot().context.upgrade).toBeNull();
    run.lease.send(healthyCheck);
  });
});
