import { describe, expect, it } from "vitest";
import { createActor, createMachine, SimulatedClock, type SnapshotFrom } from "xstate";
import { type KeyRotationInput, keyRotationMachine } from "../../src/machines/index.js";
import { clockWaits } from "../support/clock-waits.js";
import { keySettings } from "../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);
const effects = ["prepareNextKey", "activateNextKey", "revokeOldKey", "rollbackRotation"];

function input(rotating: KeyRotationInput["settings"]["rotating"]): KeyRotationInput {
  return {
    agentId: "agent-test",
    settings: { ...keySettings, rotating },
    keys: {
      akash: { index: 0, rotatedAt: T0 - 29 * DAY }, // due first, if it rotated
      payment: { index: 0, rotatedAt: T0 - 10 * DAY },
      identity: { index: 0, rotatedAt: T0 - 89 * DAY + DAY / 2 },
      encryption: { index: 0, rotatedAt: T0 - DAY },
    },
  };
}

function start(keysInput: KeyRotationInput) {
  const clock = new SimulatedClock();
  clock.set(T0);
  const recorded = new RecordedActors();
  const machine = withActors(keyRotationMachine, {
    ...recorded.scriptedAll(effects),
    ...clockWaits(clock, recorded),
  });
  const actor = createActor(machine, { input: keysInput, clock } as never);
  actor.start();
  const snapshot = () => actor.getSnapshot() as SnapshotFrom<typeof keyRotationMachine>;
  return { actor, recorded, clock, snapshot };
}

describe("keys machine schedule", () => {
  it("waits only for the keys it rotates (settings.rotating)", async () => {
    const run = start(input(["payment", "encryption"]));
    await settled();
    expect(run.snapshot().value).toBe("scheduled");
    // akash (day 1) and identity (day 0.5) are left out: payment is due on day 20.
    const waits = run.recorded.running().filter((invocation) => invocation.src === "waitUntil");
    expect(waits.map((invocation) => invocation.input)).toEqual([{ until: T0 + 20 * DAY }]);
    run.actor.stop();
  });

  it("without rotating keys, stays disabled, waits for nothing and answers a request with an alert", async () => {
    const alerts: unknown[] = [];
    const parent = createMachine({
      invoke: { src: "keys", id: "keys", input: input([]) },
      on: { "*": { actions: ({ event }) => alerts.push(event) } },
    }).provide({
      actors: { keys: withActors(keyRotationMachine, new RecordedActors().scriptedAll(effects)) },
    });
    const host = createActor(parent);
    host.start();
    const keys = host.getSnapshot().children.keys!;
    expect((keys.getSnapshot() as SnapshotFrom<typeof keyRotationMachine>).value).toBe("disabled");
    keys.send({ type: "KEYS.ROTATE_NOW", key: "payment" });
    await settled();
    expect((keys.getSnapshot() as SnapshotFrom<typeof keyRotationMachine>).value).toBe("disabled");
    expect(alerts).toEqual([
      expect.objectContaining({
        type: "ALERT.RAISED",
        source: "keys",
        title: "The payment key was not rotated",
      }),
    ]);
    host.stop();
  });
});
