import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logging/index.js";
import type { AgentCommand } from "../../../src/machines/index.js";
import type { LeaseView } from "../../../src/runtime/lease-view.js";
import { reassessOnLostLease, restsOnLostLease } from "../../../src/runtime/lost-lease-reassessment.js";

const lost = { dseq: "89", provider: "akash1dead", uri: "127.0.0.1:31000" };
const view = (state: string, dseq: string | null, provider: string | null): LeaseView => ({
  state,
  dseq,
  provider,
  uris: [],
  escrowRunwayHours: null,
});
const onLost = view("active.monitoring", "89", "akash1dead");

/** The runtime's lease views as a test sets them, with its waitForLease contract (resolves once `until` holds). */
function scriptedRuntime(first: LeaseView) {
  let current = first;
  const waiting = new Set<() => void>();
  const sent: AgentCommand[] = [];
  return {
    sent,
    set(next: LeaseView) {
      current = next;
      for (const check of [...waiting]) check();
    },
    waitForLease(until: (view: LeaseView) => boolean): Promise<LeaseView> {
      return new Promise((resolve) => {
        const check = () => {
          if (!until(current)) return;
          waiting.delete(check);
          resolve(current);
        };
        waiting.add(check);
        check();
      });
    },
    send(command: AgentCommand) {
      sent.push(command);
    },
    poke() {
      for (const check of [...waiting]) check();
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("a take-back reassesses the lease while it rests on the lost leader's", () => {
  it("tells apart the lost leader's lease from a moved one, and a lease at rest from one under way", () => {
    expect(restsOnLostLease(onLost, lost)).toBe(true);
    expect(restsOnLostLease(view("active.monitoring", "89", "akash1other"), lost)).toBe(false);
    expect(restsOnLostLease(view("active.monitoring", "160", "akash1dead"), lost)).toBe(false);
    expect(restsOnLostLease(view("requesting_bids.awaiting_funds", "160", null), lost)).toBe(false);
    expect(restsOnLostLease(view("migrating.planning", "89", "akash1dead"), lost)).toBe(false);
  });

  it("asks once each time the lease comes to rest there (restored so, then back after an abandoned move)", async () => {
    // The restored state of the stalled e2e: a move the lost leader began, which this process abandons.
    const runtime = scriptedRuntime(view("requesting_bids.awaiting_funds", "160", null));
    const reassessing = reassessOnLostLease({
      runtime,
      lost,
      logger: createLogger({ level: "silent", json: true }),
    });
    await tick();
    expect(runtime.sent).toEqual([]);

    runtime.set(onLost);
    await tick();
    runtime.poke();
    await tick();
    expect(runtime.sent).toEqual([{ type: "HEALTH.REASSESS" }]);

    runtime.set(view("migrating.planning", "89", "akash1dead"));
    await tick();
    runtime.set(view("recovery.abandoning.working", "89", "akash1dead"));
    await tick();
    runtime.set(onLost);
    await tick();
    runtime.poke();
    await tick();
    expect(runtime.sent).toEqual([{ type: "HEALTH.REASSESS" }, { type: "HEALTH.REASSESS" }]);

    reassessing.stop();
    runtime.set(view("active.monitoring", "89", "akash1other"));
    runtime.set(onLost);
    runtime.poke();
    await tick();
    expect(runtime.sent).toHaveLength(2);
  });
});
