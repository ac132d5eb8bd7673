import { describe, expect, it } from "vitest";
import { assign, createActor, setup } from "xstate";
import { EffectError } from "../../src/domain/index.js";
import { type Balances, treasuryMachine } from "../../src/machines/index.js";
import type { TreasuryContext } from "../../src/machines/treasury/treasury.context.js";
import { treasurySettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";
import { effectNames, richBalances } from "../support/successful-effects.js";

/**
 * Issue 17, row "Cronos RPC down": the treasury reads Akash and Cronos apart, so a Cronos node that does
 * not answer hides no AKT shortfall: the emergency swap is tried, fails with an alert, is tried again
 * after a backoff, and goes through once Cronos answers. Fixtures: AKT reserve 1 AKT, swap chunk 4 AKT,
 * retry backoff 1, 2, 4 ms.
 */
const at = Date.UTC(2026, 11, 4, 12);
const UNREADABLE = "Cronos eth_getBalance at http://127.0.0.1:8545 failed: HTTP 503";

/** Akash read, Cronos not: no Cronos figure in the reading, and why. */
const withoutCronos = (balances: Balances): Balances => ({
  ...balances,
  croWei: null,
  aktUnits: null,
  cronosUnreadable: UNREADABLE,
});
const drained = (when: number): Balances => ({ ...richBalances(when), uakt: "200000", aktUnits: "0" });

type Notice = { type: string; title?: string; severity?: string };

function startTreasury() {
  const recorded = new RecordedActors();
  const treasury = withActors(
    treasuryMachine,
    recorded.scriptedAll([...effectNames.treasury, "waitFor", "waitUntil"]),
  );
  // The agent's part: keep what the treasury tells it.
  const host = setup({
    types: { context: {} as { notices: Notice[] }, events: {} as Notice },
    actors: { treasury },
  }).createMachine({
    context: { notices: [] },
    invoke: {
      src: "treasury",
      id: "treasury",
      input: { agentId: "agent-test", settings: treasurySettings },
    },
    on: { "*": { actions: assign({ notices: ({ context, event }) => [...context.notices, event] }) } },
  });
  const actor = createActor(host);
  actor.start();
  const treasuryOf = () =>
    actor.getSnapshot().children.treasury!.getSnapshot() as {
      context: TreasuryContext;
      matches: (value: unknown) => boolean;
    };
  const running = (src: string) => recorded.running(true).find((invocation) => invocation.src === src);
  const settle = async (src: string, settlement: { done: unknown } | { error: unknown }) => {
    const invocation = running(src);
    if (!invocation) throw new Error(`${src} is not running`);
    recorded.settle(invocation, settlement);
    await settled();
  };
  /** The next scheduled reading, answered with `balances`. */
  const read = async (balances: Balances) => {
    if (running("waitUntil")) await settle("waitUntil", { done: undefined });
    await settle("readBalances", { done: balances });
  };
  const alerts = () =>
    actor
      .getSnapshot()
      .context.notices.filter((notice) => notice.type === "ALERT.RAISED")
      .map((notice) => `${notice.severity}: ${notice.title}`);
  return { actor, treasuryOf, running, settle, read, alerts };
}

const cronosDown = () => new EffectError("retryable", `${UNREADABLE} (eth_call)`);

describe("treasury: Cronos unreadable hides no AKT shortfall", () => {
  it("swaps on the Akash reading alone, alerts when the swap fails, retries with backoff, swaps once Cronos answers", async () => {
    const { actor, treasuryOf, running, settle, read, alerts } = startTreasury();
    await settled();
    await read(richBalances(at));
    expect(treasuryOf().context.tier).not.toBeNull();

    // Cronos stops answering, then the AKT account is drained: the reading still carries the AKT.
    await read(withoutCronos(drained(at + 1_000)));
    const stored = treasuryOf().context.balances!;
    expect(stored.uakt).toBe("200000");
    // The CRO last read stands in (runway and tier do not fall as if it were gone), marked unread.
    expect(stored.croWei).toBe("10");
    expect(stored.cronosUnreadable).toBe(UNREADABLE);
    expect(treasuryOf().matches({ swapping: "swapping" })).toBe(true);

    // The swap cannot reach Cronos: alerted, then a backoff before the next try.
    await settle("swapCroForAkt", { error: cronosDown() });
    expect(alerts()).toEqual(["critical: Emergency swap failed"]);
    expect(treasuryOf().matches({ swapping: "cooling" })).toBe(true);
    const firstWait = (running("waitFor")!.input as { ms: number }).ms;
    // A reading during the backoff starts no swap.
    await read(withoutCronos(drained(at + 2_000)));
    expect(running("swapCroForAkt")).toBeUndefined();
    await settle("waitFor", { done: undefined });
    expect(treasuryOf().matches({ swapping: "idle" })).toBe(true);

    // Still down at the next reading: tried again, failed again, a longer backoff.
    await read(withoutCronos(drained(at + 3_000)));
    await settle("swapCroForAkt", { error: cronosDown() });
    expect(treasuryOf().context.swapFailures).toBe(2);
    expect((running("waitFor")!.input as { ms: number }).ms).toBeGreaterThan(firstWait);
    await settle("waitFor", { done: undefined });

    // Cronos answers: the swap goes through and the parent is told AKT arrived.
    await read(drained(at + 4_000));
    expect(treasuryOf().context.balances!.cronosUnreadable).toBeUndefined();
    await settle("swapCroForAkt", { done: { at: at + 4_500, receivedUakt: "4000000", spentUsd: 2 } });
    expect(actor.getSnapshot().context.notices).toContainEqual({
      type: "TREASURY.SWAPPED",
      receivedUakt: "4000000",
    });
    expect(treasuryOf().context.swapFailures).toBe(0);
    expect(treasuryOf().matches({ swapping: "idle" })).toBe(true);
    actor.stop();
  });

  it("does not judge the tier from a first reading without Cronos (the CRO is not known yet)", async () => {
    const { actor, treasuryOf, read, alerts } = startTreasury();
    await settled();
    await read(withoutCronos({ ...richBalances(at), burnUactPerDay: "3000000" }));
    expect(treasuryOf().context.tier).toBeNull();
    // Nor from the next one, while Cronos has still never answered.
    await read(withoutCronos({ ...richBalances(at + 1_000), burnUactPerDay: "3000000" }));
    expect(treasuryOf().context.tier).toBeNull();
    expect(alerts()).toEqual([]);
    // Cronos answers: judged on the whole reading.
    await read({ ...richBalances(at + 2_000), burnUactPerDay: "3000000" });
    expect(treasuryOf().context.tier).not.toBeNull();
    actor.stop();
  });
});
