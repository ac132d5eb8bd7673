import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { type EnduranceReport, runEndurance } from "../../../src/simulation/endurance.js";
import { IncidentLog } from "../../../src/simulation/endurance-incidents.js";
import { DEFAULT_ENDURANCE_FAULTS, type EnduranceFaults } from "../../../src/simulation/endurance-market.js";
import { SpendCap } from "../../../src/simulation/member-world.js";

const config = configSchema.parse({});

/** Troubles every day, so a few days meet each kind: failures, reclaims, spikes and RPC outages. */
const rough: EnduranceFaults = {
  ...DEFAULT_ENDURANCE_FAULTS,
  providerFailuresPerDay: 0.3,
  priceSpikesPerDay: 0.2,
  rpcOutagesPerDay: 2,
  reclaimingShare: 1,
  reclaimsPer90Days: 20,
};

const run = (seed: number) =>
  runEndurance({ days: 2, agents: 2, providers: 20, seed, config, faults: rough });

const figures = (report: EnduranceReport) =>
  report.members.map((member) => ({ ...member, incidents: member.incidents.incidents.length }));

describe("runEndurance", () => {
  it("leaves no agent an orphaned deployment, alerts each incident once, and repeats for a seed", async () => {
    const first = await run(4);
    const again = await run(4);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(first.market.rpcOutages.length).toBeGreaterThan(0);
    expect(first.market.providerFailures).toBeGreaterThan(0);
    for (const member of first.members) {
      expect(member.orphanedMax).toBe(0);
      expect(member.orphanedAtEnd).toBe(0);
      expect(member.humanActionsNeeded).toBe(0);
      expect(member.availability).toBeGreaterThan(0.9);
      expect(member.incidents.silent.map((incident) => incident.detail)).toEqual([]);
      expect(member.incidents.noisy.map((incident) => incident.detail)).toEqual([]);
      expect(member.incidents.stray).toEqual([]);
      expect(member.spentUact).toBeLessThan(member.capUact);
    }
    // The troubles met the agents: some incidents were alerted, and the chain's outages are the family's.
    expect(first.members.some((member) => member.incidents.incidents.length > 0)).toBe(true);
    // An RPC outage long enough is told once as "Chain unreachable" (no verdict on the stale reads).
    const chainAlerts = first.members.flatMap((member) =>
      member.incidents.incidents
        .filter((incident) => incident.kinds.includes("rpc_outage"))
        .flatMap((incident) => incident.alerts.map((alert) => alert.title)),
    );
    expect(chainAlerts.length).toBeGreaterThan(0);
    expect(new Set(chainAlerts)).toEqual(new Set(["Chain unreachable"]));
    const other = await run(5);
    expect(figures(other)).not.toEqual(figures(first));
  }, 60_000);

  it("reports the same whether or not it skips the health checks that cannot find anything", async () => {
    const options = { days: 1, agents: 2, providers: 15, seed: 6, config, faults: rough };
    const skipping = await runEndurance(options);
    const checkingAll = await runEndurance({ ...options, skipQuietChecks: false });
    expect(JSON.stringify(checkingAll)).toBe(JSON.stringify(skipping));
    expect(skipping.members.some((member) => member.incidents.incidents.length > 0)).toBe(true);
  }, 60_000);

  it("rotates the Akash key by moving into a deployment the new key owns, leaving nothing open", async () => {
    const report = await runEndurance({ days: 32, agents: 1, providers: 15, seed: 2, config });
    const [member] = report.members;
    expect(member?.keyRotations.akash).toBeGreaterThanOrEqual(1);
    expect(member?.sweptByRevoke).toBe(0);
    expect(member?.orphanedMax).toBe(0);
  }, 60_000);
});

describe("IncidentLog", () => {
  const alert = (title: string, extra: { incident?: string; resolves?: boolean } = {}) => ({
    type: "ALERT.RAISED" as const,
    source: "lease",
    severity: "high" as const,
    title,
    message: "m",
    ...extra,
  });

  it("counts alerts per incident under the outbox's one-per-incident rule", () => {
    const log = new IncidentLog(86_400_000, 60_000);
    log.open({ kind: "reclaim", start: 0, end: 100_000, required: true, detail: "a", subject: "p1" });
    log.open({ kind: "outage", start: 500_000, end: 600_000, required: true, detail: "b", subject: "p2" });
    log.open({ kind: "degraded", start: 900_000, end: 950_000, required: true, detail: "c", subject: "p3" });
    log.alert(10_000, alert("Moving", { incident: "move/1" }));
    log.alert(20_000, alert("Moving", { incident: "move/1" })); // a repeat: held back
    log.alert(510_000, alert("Moving", { incident: "move/2" }));
    log.alert(520_000, alert("Lease closed"));
    log.alert(5_000_000, alert("Something else"));
    const summary = log.summary(10_000_000);
    expect(summary.alertsRaised).toBe(5);
    expect(summary.alertsSent).toBe(4);
    expect(summary.alertsSuppressed).toBe(1);
    expect(summary.incidents.map((incident) => incident.alerts.length)).toEqual([1, 2, 0]);
    expect(summary.noisy.map((incident) => incident.detail)).toEqual(["b"]);
    expect(summary.silent.map((incident) => incident.detail)).toEqual(["c"]);
    expect(summary.stray.map((sent) => sent.title)).toEqual(["Something else"]);
  });
});

describe("SpendCap", () => {
  it("refuses a deposit beyond what the grant has left, and takes refunds back", () => {
    const cap = new SpendCap(1_000);
    expect(cap.allows(1_000)).toBe(true);
    cap.deposited("1", 800);
    expect(cap.allows(300)).toBe(false);
    cap.refunded("1", 500);
    expect(cap.remainingUact()).toBe(700);
    expect(cap.allows(300)).toBe(true);
  });
});
