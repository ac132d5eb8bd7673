import { describe, expect, it } from "vitest";
import { createActor, createMachine, fromPromise, SimulatedClock, type SnapshotFrom } from "xstate";
import { type KeyRotationInput, keyRotationMachine } from "../../src/machines/index.js";
import type { KeyActivated, RotationStepInput } from "../../src/machines/keys/keys.actors.js";
import { moveRequestDelayMs } from "../../src/machines/keys/keys.machine.js";
import { clockWaits } from "../support/clock-waits.js";
import { keySettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";

const T0 = Date.UTC(2026, 5, 1);
const OLD = "akash1old";
const NEXT = "akash1next";
type KeysSnapshot = SnapshotFrom<typeof keyRotationMachine>;

const input: KeyRotationInput = {
  agentId: "agent-test",
  settings: { ...keySettings, rotating: ["akash"], moveRequestMs: 1_000 },
  keys: {
    akash: { index: 0, rotatedAt: T0 },
    payment: { index: 0, rotatedAt: T0 },
    identity: { index: 0, rotatedAt: T0 },
    encryption: { index: 0, rotatedAt: T0 },
  },
};

/** The keys machine with the Akash key's steps answering as on chain, on a simulated clock. */
function keysWithMove(clock: SimulatedClock, steps: string[]) {
  const step = (name: string) =>
    fromPromise<{ at: number }, RotationStepInput>(async ({ input: stepInput }) => {
      steps.push(`${name}:${stepInput.key}`);
      return { at: clock.now() };
    });
  return withActors(keyRotationMachine, {
    ...clockWaits(clock, new RecordedActors()),
    prepareNextKey: step("prepare"),
    activateNextKey: fromPromise<KeyActivated, RotationStepInput>(async ({ input: stepInput }) => {
      steps.push(`activate:${stepInput.key}`);
      return { at: clock.now(), move: { owner: NEXT, fromOwner: OLD } };
    }),
    revokeOldKey: step("revoke"),
    rollbackRotation: step("rollback"),
  });
}

describe("keys machine: the Akash key rotates by a move into the next key's deployment", () => {
  it("asks for the move until the lease is active in the next key's deployment, then sweeps; a restore resumes the wait", async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const steps: string[] = [];
    const notices: Array<{ type: string }> = [];
    const host = createActor(
      createMachine({
        invoke: { src: "keys", id: "keys", input },
        on: { "*": { actions: ({ event }) => notices.push(event) } },
      }).provide({ actors: { keys: keysWithMove(clock, steps) } }),
      { clock } as never,
    );
    host.start();
    const keys = host.getSnapshot().children.keys!;
    const snapshot = () => keys.getSnapshot() as KeysSnapshot;

    keys.send({ type: "KEYS.ROTATE_NOW", key: "akash" });
    await settled();
    expect(snapshot().value).toEqual({ rotating: "grace" });
    clock.increment(keySettings.graceMs);
    await settled();
    expect(snapshot().value).toEqual({ rotating: "migrating" });
    expect(snapshot().context.rotation).toMatchObject({
      phase: "migrating",
      move: { owner: NEXT, fromOwner: OLD },
    });
    const moveNeeded = {
      type: "KEYS.MOVE_NEEDED",
      owner: NEXT,
      fromOwner: OLD,
      reason: "rotation of the akash key to index 1",
    };
    expect(notices.filter((n) => n.type === "KEYS.MOVE_NEEDED")).toEqual([moveNeeded]);

    // Not moved yet: the request comes again; a lease still in the old key's deployment changes nothing.
    clock.increment(1_000);
    await settled();
    keys.send({ type: "KEYS.LEASE_ACTIVE", owner: OLD });
    keys.send({ type: "KEYS.LEASE_ACTIVE", owner: null });
    await settled();
    expect(snapshot().value).toEqual({ rotating: "migrating" });
    expect(notices.filter((n) => n.type === "KEYS.MOVE_NEEDED")).toEqual([moveNeeded, moveNeeded]);
    expect(steps).toEqual([
      "prepare:agent-test:rotate:akash:1:prepare",
      "activate:agent-test:rotate:akash:1:activate",
    ]);

    // The next leader resumes from this state (it came with the activation package).
    const saved = keys.getPersistedSnapshot();
    host.stop();
    const resumedSteps: string[] = [];
    const resumed = createActor(keysWithMove(clock, resumedSteps), { snapshot: saved, clock } as never);
    resumed.start();
    expect((resumed.getSnapshot() as KeysSnapshot).value).toEqual({ rotating: "migrating" });
    resumed.send({ type: "KEYS.LEASE_ACTIVE", owner: NEXT });
    await settled();
    const done = resumed.getSnapshot() as KeysSnapshot;
    expect(done.value).toBe("scheduled");
    expect(resumedSteps).toEqual(["revoke:agent-test:rotate:akash:1:revoke"]);
    expect(done.context.keys.akash).toMatchObject({ index: 1, rotatedAt: T0 + keySettings.graceMs + 1_000 });
    expect(done.context.rotation).toBeNull();
    resumed.stop();
  });

  it("asks again less and less often while the move is not made, up to maxMoveRequestMs", async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const asks: number[] = [];
    const host = createActor(
      createMachine({
        invoke: {
          src: "keys",
          id: "keys",
          input: { ...input, settings: { ...input.settings, maxMoveRequestMs: 4_000 } },
        },
        on: { "KEYS.MOVE_NEEDED": { actions: () => asks.push(clock.now() - T0 - keySettings.graceMs) } },
      }).provide({ actors: { keys: keysWithMove(clock, []) } }),
      { clock } as never,
    );
    host.start();
    const keys = host.getSnapshot().children.keys!;
    keys.send({ type: "KEYS.ROTATE_NOW", key: "akash" });
    await settled();
    clock.increment(keySettings.graceMs);
    await settled();
    for (let second = 0; second < 16; second += 1) {
      clock.increment(1_000);
      await settled();
    }
    // 1 s, then doubling (2 s, 4 s), then capped at 4 s.
    expect(asks).toEqual([0, 1_000, 3_000, 7_000, 11_000, 15_000]);
    expect((keys.getSnapshot() as KeysSnapshot).context.rotation?.moveRequests).toBe(6);
    host.stop();
  });

  it("moveRequestDelayMs: 60 s, doubling, at most 30 min by default", () => {
    const settings = { ...keySettings };
    expect([1, 2, 3, 6, 7, 50].map((asked) => moveRequestDelayMs(settings, asked))).toEqual([
      60_000, 120_000, 240_000, 1_800_000, 1_800_000, 1_800_000,
    ]);
    expect(moveRequestDelayMs({ ...settings, moveRequestMs: 5_000, maxMoveRequestMs: 1_000 }, 3)).toBe(5_000);
  });

  it("takes the rotation plan of the process it runs in (KEYS.SCHEDULE), from disabled or scheduled", async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const actor = createActor(keysWithMove(clock, []), {
      input: { ...input, settings: { ...input.settings, rotating: [] } },
      clock,
    } as never);
    actor.start();
    expect((actor.getSnapshot() as KeysSnapshot).value).toBe("disabled");
    actor.send({ type: "KEYS.SCHEDULE", rotating: ["akash", "payment"] });
    expect((actor.getSnapshot() as KeysSnapshot).value).toBe("scheduled");
    expect((actor.getSnapshot() as KeysSnapshot).context.settings.rotating).toEqual(["akash", "payment"]);
    actor.send({ type: "KEYS.SCHEDULE", rotating: [] });
    expect((actor.getSnapshot() as KeysSnapshot).value).toBe("disabled");
    actor.stop();
  });
});
