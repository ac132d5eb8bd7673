import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { treasuryMachine } from "../../src/machines/index.js";
import { treasurySettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";
import { effectNames, richBalances, successfulOutput } from "../support/successful-effects.js";
import { driveToOutcome, startLease } from "./restore/lease-success-policy.js";

/**
 * A health check that read the escrow before a top-up was included may report it low after the
 * top-up is done (found in the agent's devnet run under load: two deposits for one need). The lease
 * acts only on readings taken after its last top-up.
 */
describe("lease: escrow readings and top-ups", () => {
  it("does not top up again on a reading taken before the last top-up was in the escrow", async () => {
    const run = startLease();
    await driveToOutcome(run);
    run.actor.send({ type: "LEASE.ESCROW_LOW", runwayHours: 0.9, observedAt: 10_000 });
    await settled();
    const first = run.actor.getSnapshot();
    expect(first.value).toEqual({ active: "renewing" });
    const request = first.context.pendingRequest!;
    run.actor.send({ type: "TREASURY.REQUEST_GRANTED", requestId: request.requestId, at: 12_000 });
    await settled();
    expect(run.actor.getSnapshot().value).toEqual({ active: "monitoring" });

    // The check that began at 11 s ends now, with the balance from before the deposit.
    run.actor.send({ type: "HEALTH.PASSED", at: 11_000, escrowRunwayHours: 0.9 });
    run.actor.send({ type: "LEASE.ESCROW_LOW", runwayHours: 0.9, observedAt: 11_000 });
    await settled();
    const after = run.actor.getSnapshot();
    expect(after.value).toEqual({ active: "monitoring" });
    expect(after.context.pendingRequest).toBeNull();
    expect(after.context.escrowRunwayHours).toBe(0.9);

    // A reading taken after the top-up counts: the top-up was too small, so another one is asked for.
    run.actor.send({ type: "HEALTH.PASSED", at: 13_000, escrowRunwayHours: 1.95 });
    await settled();
    expect(run.actor.getSnapshot().context.escrowRunwayHours).toBe(1.95);
    run.actor.send({ type: "LEASE.ESCROW_LOW", runwayHours: 0.5, observedAt: 14_000 });
    await settled();
    const second = run.actor.getSnapshot();
    expect(second.value).toEqual({ active: "renewing" });
    expect(second.context.pendingRequest!.requestId).not.toBe(request.requestId);
    expect(run.errors).toEqual([]);
    run.actor.stop();
  });

  it("acts on every reading while it has never topped up", async () => {
    const run = startLease();
    await driveToOutcome(run);
    run.actor.send({ type: "LEASE.ESCROW_LOW", runwayHours: 0.9, observedAt: 0 });
    await settled();
    expect(run.actor.getSnapshot().value).toEqual({ active: "renewing" });
    run.actor.stop();
  });
});

describe("treasury: a granted top-up says when its deposit was in the escrow", () => {
  it("keeps the deposit's time with the answer, so a repeated request is answered with it too", async () => {
    const recorded = new RecordedActors();
    const machine = withActors(
      treasuryMachine,
      recorded.scriptedAll([...effectNames.treasury, "waitFor", "waitUntil"]),
    );
    const actor = createActor(machine, { input: { agentId: "agent-test", settings: treasurySettings } });
    actor.start();
    await settled();
    const at = Date.UTC(2026, 10, 23, 12);
    const settle = (src: string, done: unknown) => {
      const invocation = recorded.running(true).find((running) => running.src === src);
      if (!invocation) throw new Error(`${src} is not running`);
      recorded.settle(invocation, { done: done ?? successfulOutput(src, invocation.input, at) });
    };
    settle("readBalances", richBalances(at));
    await settled();
    actor.send({
      type: "TREASURY.FUNDS_REQUESTED",
      requestId: "topup",
      purpose: "escrow_top_up",
      dseq: "1001",
      amountUact: "500000",
      replyTo: "lease",
    });
    await settled();
    settle("topUpEscrow", { at: at + 7_000 });
    await settled();
    expect(actor.getSnapshot().context.answers).toEqual([
      { requestId: "topup", granted: true, reason: null, at: at + 7_000 },
    ]);
    actor.stop();
  });
});
