import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { type FundsRequest, type TreasurySettings, treasuryMachine } from "../../src/machines/index.js";
import { treasurySettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";
import { effectNames, richBalances, successfulOutput } from "../support/successful-effects.js";

const at = Date.UTC(2026, 11, 3, 12);

/**
 * A treasury whose effects are settled by hand: daily cap $6, per-child cap $5, 1 ACT = $1, and each
 * child also sent 20 CRO at $0.10 ($2).
 */
async function startTreasury(settings: TreasurySettings) {
  const recorded = new RecordedActors();
  const machine = withActors(
    treasuryMachine,
    recorded.scriptedAll([...effectNames.treasury, "waitFor", "waitUntil"]),
  );
  const actor = createActor(machine, { input: { agentId: "agent-test", settings } });
  actor.start();
  await settled();
  const settle = async (src: string, done?: unknown) => {
    const invocation = recorded.running(true).find((running) => running.src === src);
    if (!invocation) throw new Error(`${src} is not running`);
    recorded.settle(invocation, { done: done ?? successfulOutput(src, invocation.input, at) });
    await settled();
  };
  const isRunning = (src: string) => recorded.running(true).some((running) => running.src === src);
  const ask = async (request: FundsRequest) => {
    actor.send({ type: "TREASURY.FUNDS_REQUESTED", ...request });
    await settled();
    if (isRunning("ensureAct")) await settle("ensureAct");
    if (isRunning("fundChild")) await settle("fundChild", { at });
    return actor.getSnapshot().context.answers.find((answer) => answer.requestId === request.requestId);
  };
  await settle("readBalances", richBalances(at));
  return { actor, ask };
}

const withCro: TreasurySettings = {
  ...treasurySettings,
  croUsd: 0.1,
  childCroWei: (20n * 10n ** 18n).toString(),
};

const child = (requestId: string, uact: string): FundsRequest => ({
  requestId,
  purpose: "child_funding",
  childAddress: "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
  amountUact: uact,
  replyTo: "reproduction",
});

describe("treasury: a child's CRO (reproduction.childCroWei) counts in the caps at budget.croUsd", () => {
  it("counts the child's CRO in the day's spend beside its ACT", async () => {
    const { actor, ask } = await startTreasury(withCro);
    expect((await ask(child("child-1", "2000000")))?.granted).toBe(true);
    expect(actor.getSnapshot().context.spent.usd).toBeCloseTo(4);
    actor.stop();
  });

  it("refuses a child whose ACT fits the per-child cap but not with its CRO, naming the setting", async () => {
    const { actor, ask } = await startTreasury(withCro);
    const refused = await ask(child("child-2", "4000000"));
    expect(refused?.granted).toBe(false);
    expect(refused?.cause).toBe("cap");
    expect(refused?.reason).toBe(
      "per-child allocation cap of $5 would be broken ($6.00 asked, $2.00 of it CRO (reproduction.childCroWei))",
    );
    // Without the CRO the same child fits.
    const { actor: plain, ask: askPlain } = await startTreasury(treasurySettings);
    expect((await askPlain(child("child-2", "4000000")))?.granted).toBe(true);
    actor.stop();
    plain.stop();
  });

  it("refuses a second child whose CRO would break the daily cap", async () => {
    const { actor, ask } = await startTreasury(withCro);
    expect((await ask(child("child-3", "1000000")))?.granted).toBe(true);
    const refused = await ask(child("child-4", "1500000"));
    expect(refused?.granted).toBe(false);
    expect(refused?.reason).toMatch(
      /^daily spend cap of \$6 would be broken \(\$3\.00 spent or under way today, \$3\.50 asked, \$2\.00 of it CRO \(reproduction\.childCroWei\)\)$/,
    );
    expect(actor.getSnapshot().context.spent.usd).toBeCloseTo(3);
    actor.stop();
  });
});
