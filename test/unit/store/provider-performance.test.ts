import { afterEach, describe, expect, it } from "vitest";
import { type AgentStore, openAgentStore, StoreError } from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  dirs.cleanup();
});

const day = 86_400_000;
const lease = (provider: string, dseq: string) => ({ provider, dseq, gseq: 1, oseq: 1 });

describe("provider performance", () => {
  it("keeps the ready time, counts health checks into measured uptime and ends with the deployment", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const perf = store.providerPerformance;
    perf.leaseStarted(lease("akash1p", "20"), 1000);
    perf.leaseReady(lease("akash1p", "20"), 4000);
    perf.leaseReady(lease("akash1p", "20"), 9000);
    for (const up of [true, true, true, false]) perf.checkResult(lease("akash1p", "20"), up);
    expect(perf.latest(lease("akash1p", "20"))).toMatchObject({
      readyAt: 4000,
      checks: { passed: 3, total: 4 },
    });

    const [ended] = perf.deploymentEnded("20", { endedAt: 10_000, outcome: "closed" });
    expect(ended).toMatchObject({ readyAt: 4000, endedAt: 10_000, outcome: "closed", measuredUptime: 0.75 });
    // Checks after the end and a second end change nothing.
    perf.checkResult(lease("akash1p", "20"), false);
    expect(perf.deploymentEnded("20", { endedAt: 11_000, outcome: "offline" })).toEqual([]);
    expect(perf.latest(lease("akash1p", "20"))).toEqual(ended);
  });

  it("counts a failed deployment attempt against its provider, once, whether or not its lease started", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const perf = store.providerPerformance;
    const first = perf.attemptFailed(lease("akash1x", "30"), 2000, ["manifest rejected"]);
    expect(first).toMatchObject({ startedAt: 2000, endedAt: 2000, outcome: "failed_deploy", readyAt: null });
    expect(perf.attemptFailed(lease("akash1x", "30"), 3000, ["again"])).toEqual(first);
    perf.leaseStarted(lease("akash1x", "31"), 5000);
    expect(perf.attemptFailed(lease("akash1x", "31"), 6000, ["services never ready"])).toMatchObject({
      startedAt: 5000,
      endedAt: 6000,
      outcome: "failed_deploy",
      issues: ["services never ready"],
    });
    expect(perf.stats("akash1x")).toMatchObject({ leases: 2, successes: 0, failures: 2 });
  });

  it("records lease start and end idempotently", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const started = store.providerPerformance.leaseStarted(lease("akash1p", "10"), 1000);
    expect(store.providerPerformance.leaseStarted(lease("akash1p", "10"), 1000)).toEqual(started);
    expect(started).toMatchObject({ endedAt: null, outcome: null, measuredUptime: null, issues: [] });

    const ended = store.providerPerformance.leaseEnded(lease("akash1p", "10"), {
      endedAt: 5000,
      outcome: "degraded",
      measuredUptime: 0.8,
      issues: [{ kind: "health_check_failed", count: 3 }],
    });
    expect(ended).toMatchObject({ id: started.id, endedAt: 5000, outcome: "degraded", measuredUptime: 0.8 });
    // A repeat (at-least-once actor) changes nothing.
    expect(
      store.providerPerformance.leaseEnded(lease("akash1p", "10"), { endedAt: 9000, outcome: "success" }),
    ).toEqual(ended);
    expect(() =>
      store!.providerPerformance.leaseEnded(lease("akash1p", "99"), { endedAt: 1, outcome: "closed" }),
    ).toThrow(StoreError);
    store.providerPerformance.leaseStarted(lease("akash1p", "11"), 1000);
    expect(() =>
      store!.providerPerformance.leaseEnded(lease("akash1p", "11"), {
        endedAt: 2000,
        outcome: "closed",
        measuredUptime: 1.5,
      }),
    ).toThrow(RangeError);
    expect(() =>
      store!.providerPerformance.leaseEnded(lease("akash1p", "11"), { endedAt: 500, outcome: "closed" }),
    ).toThrow(RangeError);
  });

  it("aggregates leases, successes, failures and duration-weighted measured uptime per provider", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const perf = store.providerPerformance;
    // Provider A: a 9-day success at 0.99, a 1-day offline at 0.5, one still running.
    perf.leaseStarted(lease("akash1a", "1"), 0);
    perf.leaseEnded(lease("akash1a", "1"), { endedAt: 9 * day, outcome: "success", measuredUptime: 0.99 });
    perf.leaseStarted(lease("akash1a", "2"), 9 * day);
    perf.leaseEnded(lease("akash1a", "2"), { endedAt: 10 * day, outcome: "offline", measuredUptime: 0.5 });
    perf.leaseStarted(lease("akash1a", "3"), 10 * day);
    // Provider B: failed deploy (no uptime), reclaimed, closed by us.
    perf.leaseStarted(lease("akash1b", "4"), 0);
    perf.leaseEnded(lease("akash1b", "4"), { endedAt: 1000, outcome: "failed_deploy" });
    perf.leaseStarted(lease("akash1b", "5"), 0);
    perf.leaseEnded(lease("akash1b", "5"), { endedAt: day, outcome: "reclaimed", measuredUptime: 1 });
    perf.leaseStarted(lease("akash1b", "6"), day);
    perf.leaseEnded(lease("akash1b", "6"), { endedAt: 3 * day, outcome: "closed", measuredUptime: 0.7 });
    // The same order re-leased to the same provider after close-and-rebid is a new record.
    perf.leaseStarted(lease("akash1b", "6"), 4 * day);

    const a = perf.stats("akash1a");
    expect(a).toMatchObject({ provider: "akash1a", leases: 3, successes: 1, failures: 1 });
    expect(a.measuredUptime).toBeCloseTo((9 * 0.99 + 1 * 0.5) / 10, 10);
    const b = perf.stats("akash1b");
    expect(b).toMatchObject({ provider: "akash1b", leases: 4, successes: 1, failures: 2 });
    expect(b.measuredUptime).toBeCloseTo((1 * 1 + 2 * 0.7) / 3, 10);
    expect(perf.stats("akash1never")).toEqual({
      provider: "akash1never",
      leases: 0,
      successes: 0,
      failures: 0,
      measuredUptime: null,
    });
    expect(perf.allStats().map((stats) => stats.provider)).toEqual(["akash1a", "akash1b"]);
    expect(perf.history("akash1b")).toHaveLength(4);
  });

  it("falls back to the plain mean when every measured lease lasted 0 ms, and null when none was measured", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const perf = store.providerPerformance;
    perf.leaseStarted(lease("akash1z", "1"), 100);
    perf.leaseEnded(lease("akash1z", "1"), { endedAt: 100, outcome: "offline", measuredUptime: 0.2 });
    perf.leaseStarted(lease("akash1z", "2"), 100);
    perf.leaseEnded(lease("akash1z", "2"), { endedAt: 100, outcome: "offline", measuredUptime: 0.4 });
    expect(perf.stats("akash1z").measuredUptime).toBeCloseTo(0.3, 10);
    perf.leaseStarted(lease("akash1n", "1"), 0);
    perf.leaseEnded(lease("akash1n", "1"), { endedAt: 10, outcome: "failed_deploy" });
    expect(perf.stats("akash1n").measuredUptime).toBeNull();
  });
});
