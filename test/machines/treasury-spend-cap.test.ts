import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { type Balances, type FundsRequest, treasuryMachine } from "../../src/machines/index.js";
import { treasurySettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";
import { effectNames, richBalances, successfulOutput } from "../support/successful-effects.js";

const at = Date.UTC(2026, 10, 23, 12);

/** A treasury whose effects are settled by hand; the daily cap is $6 and 1 ACT is $1 (fixtures). */
async function startTreasury() {
  const recorded = new RecordedActors();
  const machine = withActors(
    treasuryMachine,
    recorded.scriptedAll([...effectNames.treasury, "waitFor", "waitUntil"]),
  );
  const actor = createActor(machine, { input: { agentId: "agent-test", settings: treasurySettings } });
  actor.start();
  await settled();
  const settle = async (src: string, done?: unknown) => {
    const invocation = recorded.running(true).find((running) => running.src === src);
    if (!invocation) throw new Error(`${src} is not running`);
    recorded.settle(invocation, { done: done ?? successfulOutput(src, invocation.input, at) });
    await settled();
  };
  const isRunning = (src: string) => recorded.running(true).some((running) => running.src === src);
  /** Sends a request and settles whatever it starts, then returns its answer. */
  const ask = async (request: FundsRequest) => {
    actor.send({ type: "TREASURY.FUNDS_REQUESTED", ...request });
    await settled();
    if (isRunning("ensureAct")) await settle("ensureAct");
    if (isRunning("topUpEscrow")) await settle("topUpEscrow", { at });
    return actor.getSnapshot().context.answers.find((answer) => answer.requestId === request.requestId);
  };
  await settle("readBalances", richBalances(at));
  return { actor, settle, ask, isRunning };
}

const deposit = (requestId: string, uact: string): FundsRequest => ({
  requestId,
  purpose: "deployment_deposit",
  dseq: requestId.replace(/\D/g, "") || "1001",
  amountUact: uact,
  replyTo: "lease",
});

const topUp = (requestId: string, uact: string): FundsRequest => ({
  requestId,
  purpose: "escrow_top_up",
  dseq: "1001",
  amountUact: uact,
  replyTo: "lease",
});

describe("treasury: deployment deposits count against the daily spend cap", () => {
  it("refuses a deposit larger than the daily cap, naming the cap", async () => {
    const { actor, ask } = await startTreasury();
    const answer = await ask(deposit("deposit-1001", "7000000"));
    expect(answer?.granted).toBe(false);
    expect(answer?.reason).toMatch(/daily spend cap of \$6/);
    expect(actor.getSnapshot().context.spent.usd).toBe(0);
    actor.stop();
  });

  it("counts a granted deposit as spent, so a top-up that would pass the cap with it is refused", async () => {
    const { actor, ask } = await startTreasury();
    expect((await ask(deposit("deposit-1001", "4000000")))?.granted).toBe(true);
    expect(actor.getSnapshot().context.spent.usd).toBe(4);
    const refused = await ask(topUp("topup-1", "3000000"));
    expect(refused?.granted).toBe(false);
    expect(refused?.reason).toMatch(/daily spend cap of \$6 would be broken \(\$4\.00 spent/);
    // A second deposit (a move holds two for a while) is held to the same cap.
    expect((await ask(deposit("deposit-1002", "2500000")))?.granted).toBe(false);
    expect((await ask(deposit("deposit-1003", "2000000")))?.granted).toBe(true);
    expect(actor.getSnapshot().context.spent.usd).toBe(6);
    actor.stop();
  });

  it("credits escrow refunds back: a closed deployment's deposit frees its room, counted once, never more than the cap", async () => {
    const { actor, ask, settle } = await startTreasury();
    expect((await ask(deposit("deposit-1001", "4000000")))?.granted).toBe(true);
    expect((await ask(topUp("topup-1", "3000000")))?.granted).toBe(false);

    // The deployment closed and its escrow gave back 4 ACT: the next reading carries the ledger's refunds.
    const refunded = (uact: string, when = at + 60_000): Balances => ({
      ...richBalances(when),
      refundedTodayUact: uact,
    });
    await settle("waitUntil");
    await settle("readBalances", refunded("4000000"));
    expect(actor.getSnapshot().context.spent).toEqual({ day: "2026-11-23", usd: 4, creditUsd: 4 });
    expect((await ask(topUp("topup-2", "3000000")))?.granted).toBe(true);

    // Read again (every poll reads the day's total): the same refund is not credited a second time.
    await settle("waitUntil");
    await settle("readBalances", refunded("4000000", at + 120_000));
    expect(actor.getSnapshot().context.spent).toEqual({ day: "2026-11-23", usd: 7, creditUsd: 4 });
    const refused = await ask(topUp("topup-3", "3500000"));
    expect(refused?.reason).toMatch(/\$3\.00 spent or under way today/);
    expect((await ask(topUp("topup-4", "3000000")))?.granted).toBe(true);

    // A refund bigger than the day's spend (its deposit made yesterday) does not widen the cap.
    const nextDay = Date.UTC(2026, 10, 24, 1);
    await settle("waitUntil");
    await settle("readBalances", refunded("9000000", nextDay));
    expect(actor.getSnapshot().context.spent).toEqual({ day: "2026-11-24", usd: 0, creditUsd: 9 });
    expect((await ask(deposit("deposit-1005", "7000000")))?.granted).toBe(false);
    actor.stop();
  });
});
