import { describe, expect, it } from "vitest";
import { planFor } from "../../src/machines/lease/lease.policy.js";
import { settled } from "../support/recorded-actors.js";
import { driveToOutcome, type LeaseRun, startLease } from "./restore/lease-success-policy.js";

/**
 * The lease does what the recovery policy (`planRecovery`) plans for each failure, including the
 * ones it had no rule for before: an expired provider certificate, ingress hosts that do not
 * resolve, and funds that only an emergency swap can bring.
 */
async function serving(resources?: { cpuUnits: number; memoryGi: number; storageGi: number }) {
  const run: LeaseRun = startLease();
  if (resources) run.actor.send({ type: "LEASE.DEPLOY", resources });
  await driveToOutcome(run);
  expect(run.actor.getSnapshot().value).toEqual({ active: "monitoring" });
  return run;
}

const providerOf = (run: LeaseRun) => run.actor.getSnapshot().context.lease!.provider;

async function send(run: LeaseRun, event: Parameters<LeaseRun["actor"]["send"]>[0]) {
  run.actor.send(event);
  await settled();
  return run.actor.getSnapshot();
}

async function refuseTopUp(run: LeaseRun, cause: "insufficient_funds" | "cap") {
  const requestId = run.actor.getSnapshot().context.pendingRequest!.requestId;
  const after = await send(run, { type: "TREASURY.REQUEST_REFUSED", requestId, reason: "no", cause });
  return { requestId, after };
}

describe("lease: every recovery comes from the policy", () => {
  it("migrates away from a provider whose certificate expired, in the policy's words", async () => {
    const run = await serving();
    const provider = providerOf(run);
    const after = await send(run, { type: "HEALTH.CERTIFICATE_EXPIRED", provider });
    expect(after.matches("migrating")).toBe(true);
    expect(after.context.failure).toEqual({ type: "certificate_expired", provider });
    expect(after.context.migrationReason).toMatch(/certificate expired/);
    expect(after.context.excludedProviders).toContain(provider);
    run.actor.stop();
  });

  it("waits while ingress hosts do not resolve, and moves once the policy stops reconnecting", async () => {
    const run = await serving();
    const provider = providerOf(run);
    const unreachable = (failedChecks: number) =>
      send(run, { type: "HEALTH.INGRESS_UNREACHABLE", provider, failedChecks, reason: "x did not resolve" });
    for (const failedChecks of [1, 5, 9]) {
      const after = await unreachable(failedChecks);
      expect(after.value).toEqual({ active: "monitoring" });
      expect(planFor(after.context)?.action.kind).toBe("reconnect");
    }
    const moved = await unreachable(10);
    expect(moved.matches("migrating")).toBe(true);
    run.actor.stop();
  });

  it("restarts failed services once in place, and moves when they fail again", async () => {
    const run = await serving();
    const first = await send(run, { type: "HEALTH.SERVICES_FAILED", reason: "0 of 1 ready" });
    expect(first.value).toEqual({ recovery: { restarting: "resending" } });
    expect(first.context.restartsMade).toBe(1);
    const resend = run.recorded.running(true).find((invocation) => invocation.src === "sendManifest")!;
    run.recorded.settle(resend, { error: new Error("connection refused") });
    await settled();
    const moved = run.actor.getSnapshot();
    expect(moved.matches("migrating")).toBe(true);
    expect(moved.context.failure).toMatchObject({ type: "services_failed", restartsMade: 1 });
    run.actor.stop();
  });

  it("waits for the treasury's emergency swap when a top-up finds no funds, asks once more, then escalates", async () => {
    const run = await serving();
    await send(run, { type: "LEASE.ESCROW_LOW", runwayHours: 0.5, observedAt: 10_000 });
    expect(run.actor.getSnapshot().value).toEqual({ active: "renewing" });
    const first = await refuseTopUp(run, "insufficient_funds");
    expect(first.after.value).toEqual({ active: "awaiting_funds" });
    expect(first.after.context.failure).toMatchObject({
      type: "lease_insufficient_funds",
      need: "escrow_top_up",
      emergencySwapsTried: 0,
    });
    expect(first.after.context.emergencySwapsTried).toBe(1);

    const wait = run.recorded.running(true).find((invocation) => invocation.src === "waitFor")!;
    run.recorded.settle(wait, { done: undefined });
    await settled();
    const again = run.actor.getSnapshot();
    expect(again.value).toEqual({ active: "renewing" });
    expect(again.context.pendingRequest!.requestId).not.toBe(first.requestId);

    const second = await refuseTopUp(run, "insufficient_funds");
    expect(second.after.value).toEqual({ active: "monitoring" });
    expect(planFor(second.after.context)?.action).toEqual({
      kind: "escalate",
      alert: "critical",
      markFailed: false,
    });
    run.actor.stop();
  });

  it("does not wait for a swap when a spend cap refused the top-up", async () => {
    const run = await serving();
    await send(run, { type: "LEASE.ESCROW_LOW", runwayHours: 0.5, observedAt: 10_000 });
    const { after } = await refuseTopUp(run, "cap");
    expect(after.value).toEqual({ active: "monitoring" });
    expect(after.context.failure).toEqual({ type: "funds_refused", need: "escrow_top_up", reason: "no" });
    run.actor.stop();
  });

  it("asks for a deployment deposit again after an emergency swap, under a new request id", async () => {
    const run = startLease();
    await send(run, { type: "LEASE.DEPLOY" });
    const generate = run.recorded.running(true).find((invocation) => invocation.src === "generateSdl")!;
    run.recorded.settle(generate, {
      done: {
        dseq: "4242",
        manifestVersion: "ab",
        resources: (generate.input as { resources: unknown }).resources,
        maxPriceUact: "1000",
      },
    });
    await settled();
    const funding = run.actor.getSnapshot();
    expect(funding.value).toEqual({ requesting_bids: "funding" });
    const requestId = funding.context.pendingRequest!.requestId;
    const refused = await send(run, {
      type: "TREASURY.REQUEST_REFUSED",
      requestId,
      reason: "not enough AKT",
      cause: "insufficient_funds",
    });
    expect(refused.value).toEqual({ requesting_bids: "awaiting_funds" });
    const wait = run.recorded.running(true).find((invocation) => invocation.src === "waitFor")!;
    run.recorded.settle(wait, { done: undefined });
    await settled();
    const asked = run.actor.getSnapshot();
    expect(asked.value).toEqual({ requesting_bids: "funding" });
    expect(asked.context.pendingRequest!.requestId).toBe(`${requestId}:1`);
    const failed = await send(run, {
      type: "TREASURY.REQUEST_REFUSED",
      requestId: `${requestId}:1`,
      reason: "not enough AKT",
      cause: "insufficient_funds",
    });
    expect(failed.matches("failed")).toBe(true);
    run.actor.stop();
  });

  it("starts the group its provider paused before rebidding on the same deployment, again after a crash", async () => {
    const run = await serving();
    const { lease, deployment } = run.actor.getSnapshot().context;
    const closed = await send(run, {
      type: "LEASE.CLOSED",
      reason: "closed by its provider",
      deploymentOpen: true,
    });
    // A provider's close pauses the group (no new order): the rebid starts it first, then collects.
    expect(closed.value).toEqual({ requesting_bids: { reopening: "working" } });
    expect(planFor(closed.context)?.action).toEqual({ kind: "rebid", excludeProviders: [lease!.provider] });
    const start = run.recorded.running(true).find((invocation) => invocation.src === "startPausedGroups")!;
    const key = `agent-test:start-group:${deployment!.dseq}`;
    expect(start.input).toEqual({ key, dseq: deployment!.dseq });

    // A crash before the start answered: the restored lease starts the groups again, same key.
    const persisted = run.actor.getPersistedSnapshot();
    run.actor.stop();
    const restored = startLease(persisted);
    await settled();
    const again = restored.recorded
      .running(true)
      .find((invocation) => invocation.src === "startPausedGroups")!;
    expect(again.input).toEqual({ key, dseq: deployment!.dseq });
    restored.recorded.settle(again, { done: undefined });
    await settled();
    const collecting = restored.actor.getSnapshot();
    expect(collecting.value).toEqual({ requesting_bids: { collecting: "working" } });
    expect(collecting.context.excludedProviders).toContain(lease!.provider);
    await driveToOutcome(restored);
    const moved = restored.actor.getSnapshot();
    expect(moved.value).toEqual({ active: "monitoring" });
    expect(moved.context.deployment!.dseq).toBe(deployment!.dseq);
    expect(moved.context.lease!.provider).not.toBe(lease!.provider);
    restored.actor.stop();
  });

  it("alerts and stays when storage is at its limit", async () => {
    const run = await serving({ cpuUnits: 2, memoryGi: 4, storageGi: 500 });
    const after = await send(run, { type: "HEALTH.RESOURCES_EXHAUSTED", resource: "disk", usagePercent: 97 });
    expect(after.value).toEqual({ active: "monitoring" });
    expect(planFor(after.context)).toMatchObject({
      failure: "out_of_disk",
      action: { kind: "escalate", markFailed: false },
    });
    run.actor.stop();
  });
});
