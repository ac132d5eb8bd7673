import { describe, it } from "vitest";
import { keyNames, keyRotationMachine } from "../../../src/machines/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import { expectToReachAllBut, fuzzMachine } from "../../support/fuzz-runner.js";
import { keySettings } from "../../support/machine-fixtures.js";
import { withActors } from "../../support/recorded-actors.js";
import { effectNames } from "../../support/successful-effects.js";
import { keysOutcomes, startAt, ticks } from "./fuzz-outcomes.js";
import { keysInvariant } from "./invariants.js";

const DAY = 86_400_000;

describe("key rotation machine, random runs (fast-check)", () => {
  it("never fails, never leaves its declared states, keeps its invariants", async () => {
    const report = await fuzzMachine(
      {
        build: (world) =>
          withActors(keyRotationMachine, {
            ...world.recorded.scriptedAll(effectNames.keys),
            ...clockWaits(world.clock, world.recorded),
          }),
        // The akash key falls due a day in, so a day's tick starts a scheduled rotation.
        input: {
          agentId: "agent-test",
          settings: keySettings,
          keys: {
            akash: { index: 0, rotatedAt: startAt - 29 * DAY },
            payment: { index: 2, rotatedAt: startAt - 10 * DAY },
            identity: { index: 1, rotatedAt: startAt - 85 * DAY },
            encryption: { index: 0, rotatedAt: startAt },
          },
        },
        outcomes: keysOutcomes,
        events: () => keyNames.map((key) => ({ type: "KEYS.ROTATE_NOW", key })),
        invariants: { keys: keysInvariant },
        ticks,
        startAt,
      },
      { numRuns: 200, maxCommands: 50 },
    );
    expectToReachAllBut(report, keyRotationMachine, {
      "keys.disabled":
        "only when no key may rotate, an input these runs never give (keys.model and keys-schedule cover it)",
    });
  }, 120_000);
});
