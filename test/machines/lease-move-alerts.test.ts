import { describe, expect, it } from "vitest";
import { hostedLease, type LeaseSnapshot } from "./hosted-lease.js";

const monitoring = (s: LeaseSnapshot) => s.matches({ active: "monitoring" });
const alertsOf = (notices: ReturnType<typeof hostedLease>["notices"]) =>
  notices.filter((notice) => notice.type === "ALERT.RAISED");

/**
 * A move of the running lease is alerted at the recovery policy's severity (the notes: every failure
 * is alerted), once per move: each move is its own incident, named by the lease it leaves.
 */
describe("lease machine: a move raises one alert", () => {
  it("alerts a provider going offline (high) and, after the move, a degraded one (medium) as another incident", async () => {
    const run = hostedLease();
    await run.drive(monitoring);
    const first = run.snapshot().context.lease!;

    run.lease.send({ type: "HEALTH.PROVIDER_OFFLINE", provider: first.provider });
    await run.drive((s) => monitoring(s) && s.context.lease?.provider !== first.provider);
    const second = run.snapshot().context.lease!;
    expect(alertsOf(run.notices)).toEqual([
      {
        type: "ALERT.RAISED",
        source: "lease",
        severity: "high",
        title: "Provider offline",
        message: expect.stringContaining(`(dseq ${first.dseq} on ${first.provider})`),
        incident: `move/${first.dseq}/${first.provider}`,
      },
    ]);

    run.lease.send({ type: "HEALTH.PROVIDER_DEGRADED", provider: second.provider, reason: "slow" });
    await run.drive((s) => monitoring(s) && s.context.lease?.provider !== second.provider);
    const alerts = alertsOf(run.notices);
    expect(alerts).toHaveLength(2);
    expect(alerts[1]).toMatchObject({
      severity: "medium",
      title: "Provider degraded",
      incident: `move/${second.dseq}/${second.provider}`,
    });
  });

  it("alerts a reclaimed lease (high) before moving off it", async () => {
    const run = hostedLease();
    await run.drive(monitoring);
    const lease = run.snapshot().context.lease!;
    run.lease.send({ type: "LEASE.RECLAIMING", provider: lease.provider, deadline: null });
    await run.drive((s) => s.matches("migrating") || s.context.lease?.dseq !== lease.dseq);
    expect(alertsOf(run.notices)).toMatchObject([{ severity: "high", title: "Lease reclaimed" }]);
  });
});
