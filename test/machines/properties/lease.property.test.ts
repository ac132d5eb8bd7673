import { describe, it } from "vitest";
import { leaseMachine } from "../../../src/machines/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import { expectToReachAllBut, fuzzMachine } from "../../support/fuzz-runner.js";
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

/**
 * Lease states runs of this size reach only sometimes: in 10 batches of 200 runs each of these was
 * missed by at least one batch (every other resting state was reached by every batch).
 */
const backoff =
  "a backoff is left at the next tick; it shows only when that step's retryable failure is drawn and then a command other than a tick";
const leaseMayMiss: Readonly<Record<string, string>> = {
  "lease.requesting_bids.publishing.backing_off": backoff,
  "lease.accepting_bid.backing_off": backoff,
  "lease.creating_lease.backing_off": backoff,
  "lease.deploying.backing_off": backoff,
  "lease.starting.backing_off": backoff,
  "lease.migrating.releasing.backing_off": backoff,
  "lease.recovery.abandoning":
    "needs a recovery that gives up: a failure past the restart limit while recovering",
  "lease.recovery.abandoning.working":
    "needs a recovery that gives up: a failure past the restart limit while recovering",
  "lease.recovery.abandoning.backing_off": backoff,
  "lease.active.move_deferred":
    "needs a move for a failure of the lease that gives up for funds: its deployment refused for funds twice, around the swap wait",
  "lease.starting": "the last step of a first deployment: runs from the seed (already active) never pass it",
  "lease.starting.working":
    "the last step of a first deployment: runs from the seed (already active) never pass it",
  "lease.active.awaiting_health": "left at the first health report after a deployment or restore",
  "lease.draining": "needs LEASE.SHUTDOWN (a rare command) while a deployment is open",
  "lease.draining.working": "needs LEASE.SHUTDOWN (a rare command) while a deployment is open",
  "lease.draining.backing_off": "needs a shutdown, then a retryable failure of its close",
  "lease.draining.handing_over": "needs LEASE.SHUTDOWN (a rare command) while a deployment is open",
  "lease.draining.handover_backing_off": "needs a shutdown, then a retryable failure of the handover",
  "lease.draining.canary": "needs LEASE.UPGRADE (a rare command), then a whole deployment flow that succeeds",
  "lease.draining.canary_backing_off": "needs an upgrade's canary, then a retryable failure of it",
  "lease.draining.rollback_window": "needs an upgrade whose canary and handover succeed",
};

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
        // A shutdown and an Akash key rotation's move are rare; drawn as often as health reports they
        // would keep the runs away from the states a running lease reaches.
        rare: (event) =>
          event.type === "LEASE.SHUTDOWN" || event.type === "LEASE.MIGRATE" || event.type === "LEASE.UPGRADE",
        onSend: noteChainClosure,
        invariants: { lease: leaseInvariant },
        ticks,
        startAt,
        seeds,
      },
      { numRuns: 200, maxCommands: 50 },
    );
    expectToReachAllBut(report, leaseMachine, leaseMayMiss);
  }, 120_000);
});
