import { describe, expect, it } from "vitest";
import { leaseInput } from "../support/machine-fixtures.js";
import { settled } from "../support/recorded-actors.js";
import { successfulOutput } from "../support/successful-effects.js";
import { hostedLease } from "./hosted-lease.js";
import { successfulEvent } from "./restore/lease-success-policy.js";

describe("lease: bids on chain, none acceptable", () => {
  it("evaluates them again at most retry.maxRetries times, then alerts and gives the flow to recovery (no endless loop)", async () => {
    const retry = { ...leaseInput.settings.retry, maxRetries: 3 };
    const { lease, snapshot, notices, recorded } = hostedLease({
      ...leaseInput,
      settings: { ...leaseInput.settings, retry },
    });
    let evaluations = 0;
    for (let step = 0; step < 200 && !snapshot().matches("failed"); step += 1) {
      const event = successfulEvent(snapshot());
      if (event) lease.send(event);
      else {
        const next = recorded.running(true)[0];
        if (!next) throw new Error(`stuck in ${JSON.stringify(snapshot().value)}`);
        if (next.src === "evaluateBids") {
          evaluations += 1;
          recorded.settle(next, { done: { ranked: [], chosen: null } });
        } else recorded.settle(next, { done: successfulOutput(next.src, next.input, 0) });
      }
      await settled();
    }
    // A first deployment with no lease to go back to: recovery gives the flow up (closing what it made).
    expect(snapshot().matches("failed")).toBe(true);
    // The first evaluation and its three retries.
    expect(evaluations).toBe(4);
    expect(notices).toContainEqual(
      expect.objectContaining({ type: "ALERT.RAISED", title: "No acceptable bid" }),
    );
  });
});
