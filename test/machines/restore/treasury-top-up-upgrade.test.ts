import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { AGENT_SNAPSHOT_UPGRADES, treasuryMachine } from "../../../src/machines/index.js";
import { treasurySettings } from "../../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../../support/recorded-actors.js";
import { effectNames, richBalances } from "../../support/successful-effects.js";

const AT = Date.UTC(2026, 10, 23, 12);
const TOP_UP = {
  requestId: "topup",
  purpose: "escrow_top_up",
  dseq: "1001",
  amountUact: "500000",
  replyTo: "lease",
} as const;

function treasuryWith(recorded: RecordedActors) {
  return withActors(treasuryMachine, recorded.scriptedAll([...effectNames.treasury, "waitFor", "waitUntil"]));
}

/** The treasury's persisted snapshot with a top-up in flight, in the form a version 6 agent wrote it. */
async function version6Treasury(state: "ensuring_act" | "depositing") {
  const recorded = new RecordedActors();
  const actor = createActor(treasuryWith(recorded), {
    input: { agentId: "agent-test", settings: { ...treasurySettings, actFloatUact: "9000000" } },
  });
  actor.start();
  await settled();
  recorded.settle(recorded.running(true).find((running) => running.src === "readBalances")!, {
    done: richBalances(AT),
  });
  await settled();
  actor.send({ type: "TREASURY.FUNDS_REQUESTED", ...TOP_UP });
  await settled();
  const now = structuredClone(actor.getPersistedSnapshot()) as unknown as {
    value: Record<string, string>;
    children: Record<string, { src: string; snapshot: { input: unknown } }>;
  };
  actor.stop();
  const running = now.children["0.treasury.serving.topping_up"]!;
  const { "0.treasury.serving.topping_up": _, ...others } = now.children;
  const oldInput =
    state === "ensuring_act"
      ? { key: "topup:act", amountUact: "500000", floatUact: "9000000" }
      : { key: "topup", dseq: "1001", amountUact: "500000" };
  return {
    ...now,
    value: { ...now.value, serving: state },
    children: {
      ...others,
      [`0.treasury.serving.${state}`]: {
        ...running,
        src: state === "ensuring_act" ? "ensureAct" : "depositEscrow",
        snapshot: { ...running.snapshot, input: oldInput },
      },
    },
  };
}

describe("agent snapshot 6 → 7: an escrow top-up is one treasury effect", () => {
  for (const state of ["ensuring_act", "depositing"] as const) {
    it(`a top-up caught in ${state} restores into topping_up and finishes under the deposit's key`, async () => {
      const version6 = { context: {}, children: { treasury: { snapshot: await version6Treasury(state) } } };
      const upgraded = AGENT_SNAPSHOT_UPGRADES["6"]!(structuredClone(version6));
      const treasury = upgraded.children.treasury.snapshot;
      expect(treasury.value).toMatchObject({ serving: "topping_up" });

      const recorded = new RecordedActors();
      const restored = createActor(treasuryWith(recorded), { snapshot: treasury } as never);
      restored.start();
      await settled();
      const topUps = recorded.running(true).filter((running) => running.src === "topUpEscrow");
      expect(topUps.map((running) => running.input)).toEqual([
        { key: "topup", dseq: "1001", amountUact: "500000", floatUact: "9000000" },
      ]);
      expect(recorded.running(true).some((running) => running.src === "ensureAct")).toBe(false);
      recorded.settle(topUps[0]!, { done: { at: AT + 7_000 } });
      await settled();
      expect(restored.getSnapshot().context.answers).toEqual([
        { requestId: "topup", granted: true, reason: null, at: AT + 7_000 },
      ]);
      restored.stop();
    });
  }

  it("leaves a treasury without a top-up in flight as it was", async () => {
    const idle = {
      children: { treasury: { snapshot: { value: { serving: "idle" }, context: { current: null } } } },
    };
    expect(AGENT_SNAPSHOT_UPGRADES["6"]!(structuredClone(idle))).toEqual(idle);
  });
});
