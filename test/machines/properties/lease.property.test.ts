import { describe, it } from "vitest";
import { leaseMachine } from "../../../src/machines/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import { describeReach, fuzzMachine } from "../../support/fuzz-runner.js";
import { leaseInput } from "../../support/machine-fixtures.js";
import { withActors } from "../../support/recorded-actors.js";
import { effectNames } from "../../support/successful-effects.js";
import { leaseModel } from "../models/lease.model.js";
import { driveToOutcome, startLease } from "../restore/lease-success-policy.js";
import { leaseOutcomes, startAt, ticks } from "./fuzz-outcomes.js";
import { leaseInvariant, noteChainClosure } from "./invariants.js";

/** A lease that deployed with everything succeeding and passed its first health check, persisted. */
async function healthyLease(): Promise<unknown> {
  const run = startLease();
  await driveToOutcome(run);
  const snapshot: unknown = JSON.parse(JSON.stringify(run.actor.getPersistedSnapshot()));
  run.actor.stop();
  return snapshot;
}

describe("lease machine, random runs (fast-check)", () => {
  it("never fails, never leaves its declared states, keeps its invariants", async () => {
    const seeds = [{ label: "a healthy active lease", snapshot: await healthyLease() }];
    const report = await fuzzMachine(
      {
        build: (world) =>
          withActors(leaseMachine, {
            ...world.recorded.scriptedAll(effectNames.lease),
            ...clockWaits(world.clock, world.recorded),
          }),
        input: leaseInput,
        outcomes: leaseOutcomes,
        // The model's events, plus an answer to a request the lease never made.
        events: (snapshot) => [
          ...leaseModel.events(snapshot),
          { type: "TREASURY.REQUEST_GRANTED", requestId: "agent-test:deposit:unknown" },
        ],
        rare: (event) => event.type === "LEASE.SHUTDOWN",
        onSend: noteChainClosure,
        invariants: { lease: leaseInvariant },
        ticks,
        startAt,
        seeds,
      },
      { numRuns: 200, maxCommands: 50 },
    );
    const { line, missed } = describeReach(report, leaseMachine);
    console.info(line, missed);
  });
});
