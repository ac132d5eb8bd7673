import { describe, it } from "vitest";
import {
  type AlertToDeliver,
  agentMachine,
  healthMachine,
  keyRotationMachine,
  leaseMachine,
  treasuryMachine,
} from "../../../src/machines/index.js";
import { agentTree, quietTreeSnapshot, treeSettings } from "../../support/agent-tree.js";
import {
  expectToReachAllBut,
  expectToReachAtLeast,
  type FuzzWorld,
  fuzzMachine,
} from "../../support/fuzz-runner.js";
import { agentModel } from "../models/agent.model.js";
import {
  agentOutcomes,
  healthOutcomes,
  keysOutcomes,
  leaseOutcomes,
  reproductionOutcomes,
  startAt,
  ticks,
  treasuryOutcomes,
} from "./fuzz-outcomes.js";
import { agentWatchesItsLease, allInvariants, deliveredAlerts } from "./invariants.js";

/** Lease states every batch of tree runs reaches from a running agent. */
const treeLeaseStates = [
  "lease.active.monitoring",
  "lease.active.renewing",
  "lease.migrating.planning",
  "lease.requesting_bids.collecting.working",
  "lease.evaluating_bids",
  "lease.terminating.working",
  "lease.failed.idle",
];

function build(world: FuzzWorld) {
  const alerts: AlertToDeliver[] = [];
  deliveredAlerts.set(world, alerts);
  return agentTree({ ...world, alerts });
}

const outcomes = {
  ...agentOutcomes,
  ...leaseOutcomes,
  ...healthOutcomes,
  ...keysOutcomes,
  ...treasuryOutcomes,
  ...reproductionOutcomes,
};

describe("agent tree, random runs (fast-check)", () => {
  it("the root and its real children never fail, never leave their declared states, keep their invariants", async () => {
    const seeds = [{ label: "a running agent, lease active", snapshot: await quietTreeSnapshot(startAt) }];
    const report = await fuzzMachine(
      {
        build,
        input: { settings: treeSettings },
        outcomes,
        // Host commands, and notices as the children would send them (also at odd moments).
        events: (snapshot) => agentModel.events(snapshot),
        rare: (event) => event.type === "AGENT.SHUTDOWN",
        invariants: allInvariants,
        ticks,
        startAt,
        seeds,
      },
      { numRuns: 150, maxCommands: 50 },
    );
    for (const machine of [agentMachine, treasuryMachine]) expectToReachAllBut(report, machine);
    expectToReachAllBut(report, healthMachine, {
      "health.retrying":
        "a check that failed and is tried again: reached in the tree by some seeds only; the health machine's own runs always reach it",
    });
    // The children's own random runs cover their other states; in the tree each must at least get going.
    expectToReachAtLeast(report, leaseMachine, treeLeaseStates);
    // The tree's keys fall due in 30 days or more, far past what 50 commands move the clock.
    expectToReachAtLeast(report, keyRotationMachine, ["keys.scheduled"]);
  }, 120_000);

  it("with only host commands from outside, the health monitor always watches the lease the lease machine holds", async () => {
    const seeds = [{ label: "a running agent, lease active", snapshot: await quietTreeSnapshot(startAt) }];
    await fuzzMachine(
      {
        build,
        input: { settings: treeSettings },
        outcomes,
        // Everything else comes from the real children, driven by their effects' outcomes and the clock.
        events: () => [
          { type: "AGENT.SHUTDOWN", terminateLease: true },
          { type: "AGENT.SHUTDOWN", terminateLease: false },
          { type: "CHILD.HEARTBEAT", childId: "agent-child", at: startAt },
        ],
        rare: (event) => event.type === "AGENT.SHUTDOWN",
        invariants: { ...allInvariants, agent: agentWatchesItsLease },
        ticks,
        startAt,
        seeds,
      },
      { numRuns: 100, maxCommands: 50 },
    );
  }, 120_000);
});
