import { describe, expect, it } from "vitest";
import { EffectError } from "../../src/domain/index.js";
import type { LeaseEvent } from "../../src/machines/lease/lease.events.js";
import { settled } from "../support/recorded-actors.js";
import { successfulOutput } from "../support/successful-effects.js";
import { driveToOutcome, type LeaseRun, startLease } from "./restore/lease-success-policy.js";

/**
 * Issue 17, pair "provider reclaiming + swap price moved": the lease must move (make-before-break)
 * while the AKT account is drained and the treasury's swap is refused. The new deployment's tx cannot
 * pay its fee, the move is abandoned, and once AKT arrives the move is tried again: the reclaim is
 * reported once by the health monitor, so nothing else would ask for it before the deadline.
 */
const noAkt = () =>
  new EffectError(
    "insufficient_funds",
    "create_deployment rejected (CheckTx): insufficient funds for the fee",
  );

async function serving(): Promise<LeaseRun> {
  const run = startLease();
  await driveToOutcome(run);
  expect(run.actor.getSnapshot().value).toEqual({ active: "monitoring" });
  return run;
}

async function send(run: LeaseRun, event: LeaseEvent) {
  run.actor.send(event);
  await settled();
  return run.actor.getSnapshot();
}

/** Settles the one running effect named `src` (with success unless `error` is given). */
async function settle(run: LeaseRun, src: string, error?: unknown) {
  const invocation = run.recorded.running(true).find((running) => running.src === src);
  if (!invocation) {
    const running = run.recorded.running(true).map((running) => running.src);
    throw new Error(`${src} is not running (running: ${running.join(", ") || "nothing"})`);
  }
  run.recorded.settle(invocation, error ? { error } : { done: successfulOutput(src, invocation.input, 0) });
  await settled();
  return run.actor.getSnapshot();
}

/** The move's deposit is granted (ACT held), then its deployment tx is refused for want of AKT. */
async function publishWithoutAkt(run: LeaseRun) {
  const pending = run.actor.getSnapshot().context.pendingRequest!;
  await send(run, { type: "TREASURY.REQUEST_GRANTED", requestId: pending.requestId });
  return settle(run, "createDeployment", noAkt());
}

/** Reclaimed: the move starts, gets as far as the deposit request. */
async function moveStarted(run: LeaseRun) {
  const provider = run.actor.getSnapshot().context.lease!.provider;
  await send(run, { type: "LEASE.RECLAIMING", provider, deadline: 120_000 });
  await settle(run, "planMigration", undefined);
  await settle(run, "generateSdl");
  const snapshot = run.actor.getSnapshot();
  expect(snapshot.value).toEqual({ requesting_bids: "funding" });
  expect(snapshot.context.moveCause).toEqual({ type: "lease_reclaiming", provider });
  return provider;
}

/** Through the emergency-swap wait and the second refusal, to the abandoned move. */
async function abandonForFunds(run: LeaseRun) {
  const first = await publishWithoutAkt(run);
  // An unpaid fee is a shortfall a swap may fix: wait for the treasury's swap, then try once more.
  expect(first.value).toEqual({ requesting_bids: "awaiting_funds" });
  expect(first.context.failure).toMatchObject({
    type: "lease_insufficient_funds",
    need: "deployment_deposit",
  });
  await settle(run, "waitFor");
  expect(run.actor.getSnapshot().value).toEqual({ requesting_bids: "funding" });
  await publishWithoutAkt(run);
  return settle(run, "closeDeployments");
}

describe("lease: a move abandoned for lack of funds is tried again once funds arrive", () => {
  it("defers the reclaim's move and makes it when the treasury's swap brings AKT", async () => {
    const run = await serving();
    const provider = await moveStarted(run);
    const oldDseq = run.actor.getSnapshot().context.lease!.dseq;

    const deferred = await abandonForFunds(run);
    expect(deferred.value).toEqual({ active: "move_deferred" });
    expect(deferred.context.lease!.dseq).toBe(oldDseq);
    // The serving deployment keeps its own price limit, not its lease's price: a later rebid on it
    // takes what its group takes.
    expect(deferred.context.deployment).toMatchObject({ dseq: oldDseq, maxPriceUact: "400" });
    expect(deferred.context.lease!.priceUact).not.toBe("400");
    expect(deferred.context.deferredMoves).toBe(1);

    // AKT arrived: the move is planned again for the reclaim, excluding the reclaiming provider.
    const moving = await send(run, { type: "TREASURY.SWAPPED", receivedUakt: "10000000" });
    expect(moving.matches("migrating")).toBe(true);
    expect(moving.context.failure).toEqual({ type: "lease_reclaiming", provider });
    expect(moving.context.excludedProviders).toContain(provider);
    await driveToOutcome(run);
    const moved = run.actor.getSnapshot();
    expect(moved.value).toEqual({ active: "monitoring" });
    expect(moved.context.lease!.dseq).not.toBe(oldDseq);
    expect(moved.context.deferredMoves).toBe(0);
    expect(run.errors).toEqual([]);
    run.actor.stop();
  });

  it("tries again after a backoff too (AKT sent by the operator), deferring again while funds stay short", async () => {
    const run = await serving();
    await moveStarted(run);
    await abandonForFunds(run);
    const wait = run.recorded.running(true).find((running) => running.src === "waitFor")!;
    const firstDelay = (wait.input as { ms: number }).ms;
    await settle(run, "waitFor");
    expect(run.actor.getSnapshot().matches("migrating")).toBe(true);
    await settle(run, "planMigration");
    await settle(run, "generateSdl");
    const again = await abandonForFunds(run);
    expect(again.value).toEqual({ active: "move_deferred" });
    expect(again.context.deferredMoves).toBe(2);
    const next = run.recorded.running(true).find((running) => running.src === "waitFor")!;
    expect((next.input as { ms: number }).ms).toBeGreaterThan(firstDelay);
    run.actor.stop();
  });

  it("drops the deferred move when a health check passes: the lease is well again", async () => {
    const run = await serving();
    await moveStarted(run);
    await abandonForFunds(run);
    const after = await send(run, { type: "HEALTH.PASSED", at: 9_000, escrowRunwayHours: 40 });
    expect(after.value).toEqual({ active: "monitoring" });
    expect(after.context.moveCause).toBeNull();
    expect(after.context.deferredMoves).toBe(0);
    // A swap afterwards moves nothing.
    expect((await send(run, { type: "TREASURY.SWAPPED", receivedUakt: "10000000" })).value).toEqual({
      active: "monitoring",
    });
    run.actor.stop();
  });
});
