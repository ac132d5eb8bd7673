import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DomainInputError,
  exponentialBackoffMs,
  FAILURE_TYPES,
  type FailureEvent,
  type FailureType,
  planRecovery,
} from "../../../src/domain/index.js";
import { address } from "./fixtures.js";

const PROVIDER = address("p");
const SIZE = { cpuUnits: 4, memoryGi: 8, storageGi: 200 };

/** One representative event per failure type. */
const sample: Record<FailureType, FailureEvent> = {
  provider_offline: { type: "provider_offline", provider: PROVIDER },
  provider_degraded: { type: "provider_degraded", provider: PROVIDER },
  provider_unresponsive: { type: "provider_unresponsive", provider: PROVIDER, reconnectAttempts: 0 },
  lease_expired: { type: "lease_expired", provider: PROVIDER, leaseActive: true },
  lease_rejected: { type: "lease_rejected", provider: PROVIDER, attempt: 1, failedProviders: [] },
  lease_insufficient_funds: { type: "lease_insufficient_funds", shortfallUact: "1250000.5" },
  deployment_failed: { type: "deployment_failed", provider: PROVIDER, attempt: 1, failedProviders: [] },
  deployment_timeout: { type: "deployment_timeout", provider: PROVIDER, attempt: 1, failedProviders: [] },
  service_start_failed: { type: "service_start_failed", provider: PROVIDER, attempt: 1, failedProviders: [] },
  network_partition: { type: "network_partition", endpoint: "akash rpc", reconnectAttempts: 0 },
  dns_failure: { type: "dns_failure", provider: PROVIDER, reconnectAttempts: 0 },
  certificate_expired: { type: "certificate_expired", provider: PROVIDER },
  out_of_memory: { type: "out_of_memory", resources: SIZE },
  out_of_disk: { type: "out_of_disk", resources: SIZE },
  cpu_throttled: { type: "cpu_throttled", resources: SIZE },
  lease_reclaiming: { type: "lease_reclaiming", provider: PROVIDER },
  services_failed: { type: "services_failed", provider: PROVIDER, restartsMade: 0 },
  no_acceptable_bid: { type: "no_acceptable_bid" },
  funds_refused: { type: "funds_refused", need: "escrow_top_up", reason: "daily cap" },
  deployment_rejected: { type: "deployment_rejected", reason: "invalid SDL" },
};

describe("planRecovery", () => {
  it("maps every failure type to an explicit action", () => {
    const actions = Object.fromEntries(
      FAILURE_TYPES.map((type) => [type, planRecovery(sample[type]).action.kind]),
    );
    expect(actions).toEqual({
      provider_offline: "migrate",
      provider_degraded: "migrate",
      provider_unresponsive: "reconnect",
      lease_expired: "top-up-escrow",
      lease_rejected: "retry-deployment",
      lease_insufficient_funds: "emergency-swap",
      deployment_failed: "retry-deployment",
      deployment_timeout: "retry-deployment",
      service_start_failed: "retry-deployment",
      network_partition: "reconnect",
      dns_failure: "reconnect",
      certificate_expired: "migrate",
      out_of_memory: "scale-up",
      out_of_disk: "scale-up",
      cpu_throttled: "scale-up",
      lease_reclaiming: "migrate",
      services_failed: "restart-services",
      no_acceptable_bid: "escalate",
      funds_refused: "escalate",
      deployment_rejected: "escalate",
    });
    for (const type of FAILURE_TYPES) {
      const plan = planRecovery(sample[type]);
      expect(plan.failure).toBe(type);
      expect(["low", "medium", "high", "critical"]).toContain(plan.severity);
      expect(plan.reason.length).toBeGreaterThan(10);
    }
  });

  it("migrates away from an offline or degraded provider, excluding it", () => {
    expect(planRecovery(sample.provider_offline)).toEqual({
      failure: "provider_offline",
      severity: "high",
      action: { kind: "migrate", excludeProviders: [PROVIDER] },
      reason: "the provider is offline: migrate to another provider",
    });
    expect(planRecovery(sample.provider_degraded).severity).toBe("medium");
  });

  it("renews an expiring lease by topping up escrow, and redeploys a closed one", () => {
    expect(planRecovery(sample.lease_expired).action).toEqual({ kind: "top-up-escrow" });
    expect(planRecovery({ type: "lease_expired", provider: PROVIDER, leaseActive: false }).action).toEqual({
      kind: "redeploy",
    });
  });

  it("escalates a network partition instead of migrating: a move needs the chain", () => {
    expect(
      planRecovery({ type: "network_partition", endpoint: "akash rpc", reconnectAttempts: 10 }),
    ).toMatchObject({
      severity: "critical",
      action: { kind: "escalate", alert: "critical", markFailed: false },
    });
  });

  it("restarts failed services in place once, then migrates", () => {
    expect(planRecovery(sample.services_failed).action).toEqual({ kind: "restart-services" });
    expect(planRecovery({ type: "services_failed", provider: PROVIDER, restartsMade: 1 }).action).toEqual({
      kind: "migrate",
      excludeProviders: [PROVIDER],
    });
  });

  it("rebids on the same order when only the lease closed, redeploys when the deployment closed too", () => {
    const closed = { type: "lease_expired", provider: PROVIDER, leaseActive: false } as const;
    expect(planRecovery({ ...closed, deploymentOpen: true }).action).toEqual({
      kind: "rebid",
      excludeProviders: [PROVIDER],
    });
    expect(planRecovery({ ...closed, deploymentOpen: false }).action).toEqual({ kind: "redeploy" });
  });

  it("waits for one emergency swap per need, then escalates; a deposit that cannot be funded fails the flow", () => {
    const short = { type: "lease_insufficient_funds", shortfallUact: "500000" } as const;
    expect(planRecovery({ ...short, need: "deployment_deposit" }).action).toMatchObject({
      kind: "emergency-swap",
      coverUact: "1000000",
      followedBy: "deployment-deposit",
    });
    expect(planRecovery({ ...short, emergencySwapsTried: 1 }).action).toEqual({
      kind: "escalate",
      alert: "critical",
      markFailed: false,
    });
    expect(
      planRecovery({ ...short, need: "deployment_deposit", emergencySwapsTried: 1 }).action,
    ).toMatchObject({ kind: "escalate", markFailed: true });
    expect(planRecovery({ type: "funds_refused", need: "deployment_deposit", reason: "cap" }).action).toEqual(
      {
        kind: "escalate",
        alert: "critical",
        markFailed: true,
      },
    );
  });

  it("counts a failed attempt that had no provider yet without excluding anyone", () => {
    expect(
      planRecovery({ type: "deployment_failed", provider: null, attempt: 1, failedProviders: [PROVIDER] })
        .action,
    ).toEqual({ kind: "retry-deployment", attempt: 2, excludeProviders: [PROVIDER] });
  });

  it("swaps CRO→AKT for twice the shortfall, then tops up", () => {
    expect(planRecovery(sample.lease_insufficient_funds)).toEqual({
      failure: "lease_insufficient_funds",
      severity: "critical",
      action: {
        kind: "emergency-swap",
        from: "CRO",
        to: "AKT",
        coverUact: "2500001",
        followedBy: "top-up-escrow",
      },
      reason: "escrow is short of 1250000.5 uact: emergency CRO→AKT swap for twice that, then top up",
    });
  });

  it("retries a failed deployment on another provider up to 3 attempts, then escalates", () => {
    const second = planRecovery({
      type: "deployment_failed",
      provider: address("z"),
      attempt: 2,
      failedProviders: [PROVIDER, address("z")],
    });
    expect(second.action).toEqual({
      kind: "retry-deployment",
      attempt: 3,
      excludeProviders: [PROVIDER, address("z")],
    });
    const third = planRecovery({
      type: "deployment_failed",
      provider: address("r"),
      attempt: 3,
      failedProviders: [],
    });
    expect(third).toMatchObject({
      severity: "critical",
      action: { kind: "escalate", alert: "critical", markFailed: true },
      reason: "deployment failed 3 time(s) on different providers: manual intervention required",
    });
    const moreAttempts = planRecovery(
      { type: "deployment_timeout", provider: PROVIDER, attempt: 3, failedProviders: [] },
      { maxDeploymentAttempts: 5 },
    );
    expect(moreAttempts.action.kind).toBe("retry-deployment");
  });

  it("scales up: memory ×2, storage +100Gi, cpu +2, each capped", () => {
    const plan = (type: "out_of_memory" | "out_of_disk" | "cpu_throttled", resources = SIZE) =>
      planRecovery({ type, resources }).action;
    expect(plan("out_of_memory")).toEqual({
      kind: "scale-up",
      resource: "memory",
      resources: { ...SIZE, memoryGi: 16 },
    });
    expect(plan("out_of_disk")).toEqual({
      kind: "scale-up",
      resource: "disk",
      resources: { ...SIZE, storageGi: 300 },
    });
    expect(plan("cpu_throttled")).toEqual({
      kind: "scale-up",
      resource: "cpu",
      resources: { ...SIZE, cpuUnits: 6 },
    });
    expect(plan("out_of_memory", { ...SIZE, memoryGi: 12 })).toMatchObject({ resources: { memoryGi: 16 } });
    expect(plan("out_of_disk", { ...SIZE, storageGi: 450 })).toMatchObject({ resources: { storageGi: 500 } });
    expect(plan("cpu_throttled", { ...SIZE, cpuUnits: 7 })).toMatchObject({ resources: { cpuUnits: 8 } });
  });

  it("says so when the resource is already at its cap", () => {
    expect(planRecovery({ type: "out_of_memory", resources: { ...SIZE, memoryGi: 16 } })).toMatchObject({
      action: { kind: "reproduce", trigger: "high_load" },
      reason: "memory exhausted at the largest size: share the load with a child",
    });
    expect(planRecovery({ type: "cpu_throttled", resources: { ...SIZE, cpuUnits: 8 } }).action.kind).toBe(
      "reproduce",
    );
    expect(planRecovery({ type: "out_of_disk", resources: { ...SIZE, storageGi: 500 } })).toMatchObject({
      severity: "critical",
      action: { kind: "escalate", alert: "critical", markFailed: false },
      reason: "storage is at its 500Gi limit: data must be pruned or moved",
    });
  });

  it("reconnects with capped exponential backoff, then migrates after N attempts", () => {
    const delays = [0, 1, 2, 5, 6, 9].map((made) => {
      const { action } = planRecovery({
        type: "network_partition",
        endpoint: "akash rpc",
        reconnectAttempts: made,
      });
      return action.kind === "reconnect" ? [action.attempt, action.delayMs] : null;
    });
    expect(delays).toEqual([
      [1, 1_000],
      [2, 2_000],
      [3, 4_000],
      [6, 32_000],
      [7, 60_000],
      [10, 60_000],
    ]);
    expect(planRecovery({ type: "dns_failure", provider: PROVIDER, reconnectAttempts: 10 })).toMatchObject({
      severity: "high",
      action: { kind: "migrate", excludeProviders: [PROVIDER] },
    });
    expect(
      planRecovery(
        { type: "provider_unresponsive", provider: PROVIDER, reconnectAttempts: 2 },
        { maxReconnectAttempts: 2 },
      ).action.kind,
    ).toBe("migrate");
  });

  it.each([
    [{ type: "lease_insufficient_funds", shortfallUact: "-1" }, "failure.shortfallUact"],
    [{ type: "deployment_failed", provider: PROVIDER, attempt: 0, failedProviders: [] }, "failure.attempt"],
    [
      { type: "network_partition", endpoint: "akash rpc", reconnectAttempts: -1 },
      "failure.reconnectAttempts",
    ],
    [{ type: "network_partition", endpoint: "", reconnectAttempts: 0 }, "failure.endpoint"],
    [{ type: "services_failed", provider: PROVIDER, restartsMade: 1.5 }, "failure.restartsMade"],
    [{ type: "funds_refused", need: "rent", reason: "x" }, "failure.need"],
    [{ type: "provider_offline", provider: "" }, "failure.provider"],
    [
      { type: "out_of_memory", resources: { cpuUnits: 4, memoryGi: 3, storageGi: 100 } },
      "failure.resources.memoryGi",
    ],
    [{ type: "volcano_eruption" }, "failure.type"],
  ])("rejects an event missing what its recovery needs (%#)", (event, field) => {
    expect(() => planRecovery(event as FailureEvent)).toThrow(DomainInputError);
    expect(() => planRecovery(event as FailureEvent)).toThrow(`invalid input: ${field} =`);
  });
});

describe("exponentialBackoffMs", () => {
  it("doubles from 1 s and caps at 60 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100, 5000].map((n) => exponentialBackoffMs(n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
    ]);
    expect(exponentialBackoffMs(3, { baseMs: 50, capMs: 150 })).toBe(150);
  });

  it("never decreases and never exceeds the cap", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 10_000 }), (n, base) => {
        const cap = 60_000;
        const delay = exponentialBackoffMs(n, { baseMs: base, capMs: cap });
        expect(delay).toBeLessThanOrEqual(cap);
        expect(delay).toBeGreaterThanOrEqual(Math.min(base, cap));
        expect(exponentialBackoffMs(n + 1, { baseMs: base, capMs: cap })).toBeGreaterThanOrEqual(delay);
      }),
    );
  });

  it("rejects attempts below 1 or fractional", () => {
    expect(() => exponentialBackoffMs(0)).toThrow("attempt = 0: must be a whole number ≥ 1");
    expect(() => exponentialBackoffMs(1.5)).toThrow(DomainInputError);
    expect(() => exponentialBackoffMs(1, { capMs: -1 })).toThrow("backoff.capMs");
  });
});
