import { describe, it } from "vitest";
import { type FundsRequest, treasuryMachine } from "../../../src/machines/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import { expectToReachAllBut, fuzzMachine } from "../../support/fuzz-runner.js";
import { treasurySettings } from "../../support/machine-fixtures.js";
import { withActors } from "../../support/recorded-actors.js";
import { effectNames } from "../../support/successful-effects.js";
import { startAt, ticks, treasuryOutcomes } from "./fuzz-outcomes.js";
import { treasuryInvariant } from "./invariants.js";

/** Requests the lease and reproduction send (a few twice, as after a timeout or a restore), some over a cap. */
const requests: FundsRequest[] = [
  {
    requestId: "deposit-1",
    purpose: "deployment_deposit",
    dseq: "1001",
    amountUact: "500000",
    replyTo: "lease",
  },
  {
    requestId: "deposit-2",
    purpose: "deployment_deposit",
    dseq: "1002",
    amountUact: "500000",
    replyTo: "lease",
  },
  { requestId: "topup-1", purpose: "escrow_top_up", dseq: "1001", amountUact: "2500000", replyTo: "lease" },
  { requestId: "topup-big", purpose: "escrow_top_up", dseq: "1001", amountUact: "6000000", replyTo: "lease" },
  {
    requestId: "child-1",
    purpose: "child_funding",
    childAddress: "akash1child",
    amountUact: "3000000",
    replyTo: "reproduction",
  },
  {
    requestId: "child-over-cap",
    purpose: "child_funding",
    childAddress: "akash1child2",
    amountUact: "5500000",
    replyTo: "reproduction",
  },
];

describe("treasury machine, random runs (fast-check)", () => {
  it("never fails, never leaves its declared states, keeps its invariants", async () => {
    const report = await fuzzMachine(
      {
        build: (world) =>
          withActors(treasuryMachine, {
            ...world.recorded.scriptedAll(effectNames.treasury),
            ...clockWaits(world.clock, world.recorded),
          }),
        input: { agentId: "agent-test", settings: treasurySettings },
        outcomes: treasuryOutcomes,
        events: () => [
          ...requests.map((request) => ({ type: "TREASURY.FUNDS_REQUESTED", ...request })),
          { type: "TREASURY.WALLET_LOW", runwayDays: 3 },
          { type: "TREASURY.SWAP_NEEDED", reason: "test" },
        ],
        invariants: { treasury: treasuryInvariant },
        ticks,
        startAt,
      },
      { numRuns: 200, maxCommands: 50 },
    );
    expectToReachAllBut(report, treasuryMachine);
  }, 120_000);
});
