import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import {
  type ChildPlan,
  type LeaseRef,
  leaseMachine,
  reproductionMachine,
  treasuryMachine,
} from "../../../src/machines/index.js";
import type { CloseDeploymentsInput } from "../../../src/machines/lease/lease.actors.js";
import {
  errors,
  leaseInput,
  reproductionSettings,
  treasurySettings,
} from "../../support/machine-fixtures.js";
import { type Invocation, RecordedActors, settled, withActors } from "../../support/recorded-actors.js";
import { effectNames, richBalances, successfulOutput } from "../../support/successful-effects.js";
import { driveToOutcome, startLease } from "../restore/lease-success-policy.js";

/**
 * Counterexamples the random runs found (since fixed in the machines), replayed step by step as
 * regression tests: each states the behaviour the design asks for.
 */

function settle(recorded: RecordedActors, src: string, result: { done: unknown } | { error: unknown }): void {
  const invocation = recorded.running(true).find((running) => running.src === src);
  if (!invocation) throw new Error(`${src} is not running`);
  recorded.settle(invocation, result);
}

function succeed(recorded: RecordedActors, src: string, now = 0): void {
  const invocation = recorded.running(true).find((running) => running.src === src);
  if (!invocation) throw new Error(`${src} is not running`);
  recorded.settle(invocation, { done: successfulOutput(src, invocation.input, now) });
}

/** No provider bids, twice (the lease retries once, then gives up). */
async function noBids(recorded: RecordedActors): Promise<void> {
  settle(recorded, "collectBids", { done: { bids: [] } });
  await settled();
  settle(recorded, "waitFor", { done: undefined });
  await settled();
  settle(recorded, "collectBids", { done: { bids: [] } });
  await settled();
}

const closesOf = (invocations: Invocation[], dseq: string) =>
  invocations.filter(
    (invocation) =>
      invocation.src === "closeDeployments" &&
      (invocation.input as CloseDeploymentsInput).dseqs.includes(dseq),
  );

describe("bugs the random runs found, now fixed", () => {
  it("lease: a migration whose SDL generation fails for good leaves the serving deployment open", async () => {
    const run = startLease();
    await driveToOutcome(run);
    const serving = run.actor.getSnapshot().context.lease as LeaseRef;
    run.actor.send({ type: "HEALTH.PROVIDER_DEGRADED", provider: serving.provider, reason: "slow" });
    await settled();
    settle(run.recorded, "planMigration", { done: { strategy: "new_deployment" } });
    await settled();
    settle(run.recorded, "generateSdl", { error: errors.fatal });
    await settled();
    // Was: `failed` → cleaning_up closed context.deployment, still the serving one. Now the move is abandoned.
    expect(closesOf(run.recorded.invocations, serving.dseq)).toEqual([]);
    expect(run.actor.getSnapshot().value).toEqual({ active: "monitoring" });
    run.actor.stop();
  });

  it("lease: LEASE.RETRY during the failed clean-up still gets the half-made deployment closed", async () => {
    const run = startLease();
    run.actor.send({ type: "LEASE.DEPLOY" });
    await settled();
    succeed(run.recorded, "generateSdl");
    await settled();
    const { pendingRequest, deployment } = run.actor.getSnapshot().context;
    run.actor.send({ type: "TREASURY.REQUEST_GRANTED", requestId: pendingRequest!.requestId });
    await settled();
    succeed(run.recorded, "createDeployment");
    await settled();
    // No provider bids, after a retry: the lease fails and starts closing the deployment.
    await noBids(run.recorded);
    expect(run.actor.getSnapshot().value).toEqual({ failed: "closing" });
    // A retry during the clean-up is not taken: the close goes on.
    run.actor.send({ type: "LEASE.RETRY" });
    await settled();
    expect(run.actor.getSnapshot().value).toEqual({ failed: "closing" });
    succeed(run.recorded, "closeDeployments");
    await settled();
    expect(run.actor.getSnapshot().value).toEqual({ failed: "idle" });
    run.actor.send({ type: "LEASE.RETRY" });
    await settled();
    succeed(run.recorded, "generateSdl");
    await settled();
    run.actor.send({ type: "LEASE.SHUTDOWN" });
    await settled();
    succeed(run.recorded, "closeDeployments");
    await settled();
    expect(run.actor.getSnapshot().status).toBe("done");
    // Was: the retry stopped the close and nothing closed the first deployment later.
    const first = deployment!.dseq;
    const closed = run.recorded.invocations.some((invocation) => {
      if (invocation.status !== "done") return false;
      if (invocation.src === "closeDeployments") {
        return (invocation.input as CloseDeploymentsInput).dseqs.includes(first);
      }
      const input = invocation.input as { deployment?: { dseq: string }; keepDseqs?: string[] };
      return (
        invocation.src === "createDeployment" &&
        input.deployment?.dseq !== first &&
        input.keepDseqs !== undefined &&
        !input.keepDseqs.includes(first)
      );
    });
    expect(closed).toBe(true);
  });

  it("reproduction: a child that cannot be deployed is retired after its attempts, never left half-born", async () => {
    const recorded = new RecordedActors();
    const machine = withActors(
      reproductionMachine,
      recorded.scriptedAll([...effectNames.reproduction, "waitFor", "waitUntil"]),
    );
    const actor = createActor(machine, { input: { agentId: "agent-test", settings: reproductionSettings } });
    actor.start();
    await settled();
    const decision: ChildPlan = {
      trigger: "redundancy",
      reason: "only 1 agent, need 3",
      urgency: "high",
      childConfig: {
        role: "replica",
        specialization: null,
        region: null,
        resources: leaseInput.resources,
        fundingUact: "3000000",
      },
    };
    settle(recorded, "evaluateReproduction", { done: { at: 1, decision, reason: decision.reason } });
    await settled();
    succeed(recorded, "createChildIdentity");
    await settled();
    actor.send({
      type: "TREASURY.REQUEST_GRANTED",
      requestId: actor.getSnapshot().context.pendingRequestId!,
    });
    await settled();
    for (let attempt = 1; attempt <= reproductionSettings.maxBirthAttempts; attempt += 1) {
      settle(recorded, "deployChild", { error: errors.provider });
      await settled();
      if (attempt < reproductionSettings.maxBirthAttempts) {
        succeed(recorded, "waitFor");
        await settled();
      }
    }
    // Given up: the child's grants are revoked and its account swept before the cycle moves on.
    expect(actor.getSnapshot().value).toMatchObject({ cycle: "abandoning_birth" });
    const retire = recorded.running(true).find((invocation) => invocation.src === "retireChild");
    expect((retire?.input as { child: { childId: string } } | undefined)?.child.childId).toBe(
      "agent-child-0",
    );
    succeed(recorded, "retireChild");
    await settled();
    expect(actor.getSnapshot().value).toMatchObject({ cycle: "backing_off" });
    expect(actor.getSnapshot().context.children).toEqual([]);
    expect(actor.getSnapshot().context.nextChildIndex).toBe(1);
    actor.stop();
  });

  it("treasury: a swap and a top-up in flight together never break the daily spend cap", async () => {
    const recorded = new RecordedActors();
    const machine = withActors(treasuryMachine, {
      ...recorded.scriptedAll([...effectNames.treasury, "waitFor", "waitUntil"]),
    });
    const actor = createActor(machine, { input: { agentId: "agent-test", settings: treasurySettings } });
    actor.start();
    await settled();
    const at = Date.UTC(2026, 10, 23, 12);
    settle(recorded, "readBalances", { done: richBalances(at) });
    await settled();
    // $6 cap: a $2 swap starts (0 + 2 ≤ 6), then a $5 top-up is approved (0 + 5 ≤ 6) while the swap runs.
    actor.send({ type: "TREASURY.SWAP_NEEDED", reason: "AKT for fees is below the reserve" });
    actor.send({
      type: "TREASURY.FUNDS_REQUESTED",
      requestId: "topup",
      purpose: "escrow_top_up",
      dseq: "1001",
      amountUact: "5000000",
      replyTo: "lease",
    });
    await settled();
    // The swap's $2 is in flight: the $5 top-up would make $7, so it is refused.
    expect(
      recorded.running(true).some((invocation) => ["ensureAct", "topUpEscrow"].includes(invocation.src)),
    ).toBe(false);
    expect(actor.getSnapshot().context.answers).toEqual([
      expect.objectContaining({ requestId: "topup", granted: false }),
    ]);
    settle(recorded, "swapCroForAkt", { done: { at, receivedUakt: "4000000", spentUsd: 2 } });
    await settled();
    // Was: both went ahead and $7 was spent against a $6 cap.
    expect(actor.getSnapshot().context.spent.usd).toBeLessThanOrEqual(treasurySettings.dailySpendCapUsd);
    actor.stop();
  });
});
