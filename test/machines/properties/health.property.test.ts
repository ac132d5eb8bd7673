import { describe, it } from "vitest";
import { healthMachine } from "../../../src/machines/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import { expectToReachAllBut, fuzzMachine } from "../../support/fuzz-runner.js";
import { healthSettings } from "../../support/machine-fixtures.js";
import { withActors } from "../../support/recorded-actors.js";
import { effectNames } from "../../support/successful-effects.js";
import { healthModel } from "../models/health.model.js";
import { healthOutcomes, startAt, ticks } from "./fuzz-outcomes.js";
import { healthInvariant } from "./invariants.js";

describe("health machine, random runs (fast-check)", () => {
  it("never fails, never leaves its declared states, keeps its invariants", async () => {
    const report = await fuzzMachine(
      {
        build: (world) =>
          withActors(healthMachine, {
            ...world.recorded.scriptedAll(effectNames.health),
            ...clockWaits(world.clock, world.recorded),
          }),
        input: { settings: healthSettings },
        outcomes: healthOutcomes,
        events: (snapshot) => healthModel.events(snapshot),
        invariants: { health: healthInvariant },
        ticks,
        startAt,
      },
      { numRuns: 200, maxCommands: 50 },
    );
    expectToReachAllBut(report, healthMachine);
  }, 120_000);
});
