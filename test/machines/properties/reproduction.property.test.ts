import { describe, it } from "vitest";
import { reproductionMachine } from "../../../src/machines/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import {
  expectToReachAllBut,
  expectToReachAtLeast,
  type FuzzWorld,
  fuzzMachine,
} from "../../support/fuzz-runner.js";
import { reproductionSettings } from "../../support/machine-fixtures.js";
import { withActors } from "../../support/recorded-actors.js";
import { effectNames } from "../../support/successful-effects.js";
import { reproductionModel } from "../models/reproduction.model.js";
import { reproductionOutcomes, startAt, ticks } from "./fuzz-outcomes.js";
import { reproductionInvariant } from "./invariants.js";

function build(world: FuzzWorld) {
  return withActors(reproductionMachine, {
    ...world.recorded.scriptedAll(effectNames.reproduction),
    ...clockWaits(world.clock, world.recorded),
  });
}

const target = {
  build,
  outcomes: reproductionOutcomes,
  events: reproductionModel.events,
  invariants: { reproduction: reproductionInvariant },
  ticks,
  startAt,
};

describe("reproduction machine, random runs (fast-check)", () => {
  it("never fails, never leaves its declared states, keeps its invariants (no orphan child, one resurrection at a time)", async () => {
    const report = await fuzzMachine(
      { ...target, input: { agentId: "agent-test", settings: { ...reproductionSettings, maxChildren: 2 } } },
      { numRuns: 150, maxCommands: 50 },
    );
    expectToReachAllBut(report, reproductionMachine, {
      "reproduction.cycle.disabled": "this parent may reproduce: only an agent that may not is disabled",
      "reproduction.watch.resurrecting": "needs a child born, then silent past the threshold on the clock",
      "reproduction.cycle.abandoning_birth":
        "needs maxBirthAttempts failed births of one child in a row (the model test and found-bugs reach it)",
      "reproduction.retirement.backing_off": "needs a child born, a retire request, then a failed retirement",
    });
  }, 120_000);

  it("a child its parent did not allow to reproduce never starts a reproduction", async () => {
    const report = await fuzzMachine(
      { ...target, input: { agentId: "agent-child", settings: { ...reproductionSettings, isChild: true } } },
      { numRuns: 50, maxCommands: 20 },
    );
    // The invariant holds it in `disabled`; the runs must have got there (and watched no children).
    expectToReachAtLeast(report, reproductionMachine, [
      "reproduction.cycle.disabled",
      "reproduction.watch.idle",
    ]);
  }, 120_000);
});
