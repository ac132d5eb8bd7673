import { describe, expect, it } from "vitest";
import { EffectError } from "../../src/domain/index.js";
import { hostedLease, type LeaseSnapshot, OLD } from "./hosted-lease.js";
import { healthyCheck } from "./restore/lease-success-policy.js";

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
