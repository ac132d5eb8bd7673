import { describe, it } from "vitest";
import { leaseMachine, reproductionMachine } from "../../../src/machines/index.js";
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
    expectToReachAllBut(report, reproductionMachine, {
      "reproduction.cycle.disabled": "this parent may reproduce: only an agent that may not is disabled",
      "reproduction.watch.checking": "needs a child deployed, activated and registered first",
      "reproduction.watch.waiting":
        "needs a registered child, then a heartbeat check, then the clock short of the next",
      "reproduction.watch.retrying": "needs a registered child, then a failed heartbeat check",
    });
    // And the child lease it deploys gets going (no batch measured got one as far as active).
    expectToReachAtLeast(report, leaseMachine, [
      "lease.generating_sdl.working",
      "lease.requesting_bids.collecting.working",
      "lease.deploying.working",
    ]);
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
