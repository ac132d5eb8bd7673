import { type Actor, createActor, type SnapshotFrom } from "xstate";
import { type LeaseMachine, leaseMachine } from "../../../src/machines/index.js";
import type { LeaseEvent } from "../../../src/machines/lease/lease.events.js";
import { leaseInput } from "../../support/machine-fixtures.js";
import {
  type Invocation,
  RecordedActors,
  scriptedBySystem,
  settled,
  withActors,
} from "../../support/recorded-actors.js";
import { effectNames, successfulOutput } from "../../support/successful-effects.js";

/** Every actor the lease machine invokes; all of them are scripted here. */
export const leaseEffects = [...effectNames.lease, "waitFor"];

type LeaseSnapshot = SnapshotFrom<LeaseMachine>;

export const healthyCheck = { type: "HEALTH.PASSED", at: 5_000, escrowRunwayHours: 48 } as const;

/**
 * The outside world when everything goes well: deploy when undeployed, retry after a failure, the
 * treasury grants every request, the first health check passes. Null when the lease waits on an actor.
 */
export function successfulEvent(snapshot: LeaseSnapshot): LeaseEvent | null {
  if (snapshot.matches("undeployed")) return { type: "LEASE.DEPLOY" };
  if (snapshot.matches({ failed: "idle" })) return { type: "LEASE.RETRY" };
  const pending = snapshot.context.pendingRequest;
  if (
    pending &&
    (snapshot.matches({ requesting_bids: "funding" }) || snapshot.matches({ active: "renewing" }))
  ) {
    return { type: "TREASURY.REQUEST_GRANTED", requestId: pending.requestId };
  }
  if (snapshot.matches({ active: "awaiting_health" })) return healthyCheck;
  return null;
}

/** Where "everything succeeds" ends: serving and checked healthy, or terminated. */
export function isOutcome(snapshot: LeaseSnapshot): boolean {
  return snapshot.status !== "active" || snapshot.matches({ active: "monitoring" });
}

export interface LeaseRun {
  actor: Actor<LeaseMachine>;
  recorded: RecordedActors;
  errors: unknown[];
}

/** A live lease actor with scripted effects, fresh or restored from a persisted snapshot. */
const scriptedLease = withActors(leaseMachine, scriptedBySystem(leaseEffects));

export function startLease(snapshot?: unknown): LeaseRun {
  const actor = snapshot
    ? createActor(scriptedLease, { snapshot: snapshot as never, input: leaseInput })
    : createActor(scriptedLease, { input: leaseInput });
  const recorded = new RecordedActors().bindTo(actor.system);
  const errors: unknown[] = [];
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  return { actor, recorded, errors };
}

export function describeInvocation(invocation: Invocation): string {
  return `${invocation.src} ${JSON.stringify(invocation.input)}`;
}

/**
 * Drives a lease with the "everything succeeds" policy until `isOutcome`. Returns the trace: each
 * event sent and each effect settled, with its input.
 */
export async function driveToOutcome(run: LeaseRun, maxSteps = 200): Promise<string[]> {
  const trace: string[] = [];
  for (let step = 0; step < maxSteps; step += 1) {
    const snapshot = run.actor.getSnapshot();
    if (isOutcome(snapshot)) return trace;
    const event = successfulEvent(snapshot);
    if (event) {
      trace.push(`send ${JSON.stringify(event)}`);
      run.actor.send(event);
    } else {
      const running = run.recorded.running(true);
      const next = running[0];
      if (!next)
        throw new Error(`stuck in ${JSON.stringify(snapshot.value)}: nothing to send, no actor running`);
      if (running.length > 1) throw new Error(`${running.length} lease effects run at once`);
      trace.push(describeInvocation(next));
      run.recorded.settle(next, { done: successfulOutput(next.src, next.input, 0) });
    }
    await settled();
  }
  throw new Error(`no outcome within ${maxSteps} steps: ${JSON.stringify(run.actor.getSnapshot().value)}`);
}
