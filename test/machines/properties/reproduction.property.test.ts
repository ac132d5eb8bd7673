import { describe, it } from "vitest";
import { leaseMachine, reproductionMachine } from "../../../src/machines/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import { describeReach, type FuzzWorld, fuzzMachine } from "../../support/fuzz-runner.js";
import { reproductionSettings } from "../../support/machine-fixtures.js";
import { withActors } from "../../support/recorded-actors.js";
import { effectNames } from "../../support/successful-effects.js";
import { reproductionModel } from "../models/reproduction.model.js";
import { leaseOutcomes, reproductionOutcomes, startAt, ticks } from "./fuzz-outcomes.js";
import { leaseInvariant, reproductionInvariant } from "./invariants.js";

function build(world: FuzzWorld) {
  const waits = clockWaits(world.clock, world.recorded);
  return withActors(reproductionMachine, {
    ...world.recorded.scriptedAll(effectNames.reproduction),
    ...waits,
    childLease: withActors(leaseMachine, { ...world.recorded.scriptedAll(effectNames.lease), ...waits }),
  });
}

const childLeaseNotices = new Set([
  "LEASE.ACTIVE",
  "LEASE.FAILED",
  "TREASURY.FUNDS_REQUESTED",
  "ALERT.RAISED",
]);

const target = {
  build,
  outcomes: { ...reproductionOutcomes, ...leaseOutcomes },
  // The model's outside events; what the child lease tells its parent comes from the real child lease here.
  events: (snapshot: Parameters<typeof reproductionModel.events>[0]) =>
    reproductionModel.events(snapshot).filter((event) => !childLeaseNotices.has(event.type)),
  invariants: { reproduction: reproductionInvariant, lease: leaseInvariant },
  ticks,
  startAt,
};

describe("reproduction machine, random runs (fast-check)", () => {
  it("never fails, never leaves its declared states, keeps its invariants (child lease included)", async () => {
    const report = await fuzzMachine(
      { ...target, input: { agentId: "agent-test", settings: { ...reproductionSettings, maxChildren: 2 } } },
      { numRuns: 150, maxCommands: 50 },
    );
    const { line, missed } = describeReach(report, reproductionMachine);
    console.info(line, missed);
  });

  it("a child its parent did not allow to reproduce never starts a reproduction", async () => {
    const report = await fuzzMachine(
      { ...target, input: { agentId: "agent-child", settings: { ...reproductionSettings, isChild: true } } },
      { numRuns: 50, maxCommands: 20 },
    );
    const { line, missed } = describeReach(report, reproductionMachine);
    console.info(line, missed);
  });
});
