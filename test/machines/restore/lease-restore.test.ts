import { describe, expect, it } from "vitest";
import type { AnyStateNode, EventObject, SnapshotFrom } from "xstate";
import type { LeaseMachine } from "../../../src/machines/index.js";
import { exploreModel, type Outcome } from "../../support/model-paths.js";
import { settled } from "../../support/recorded-actors.js";
import { declaredStateIds, transientStateIds } from "../../support/state-validity.js";
import { keyedLeaseEffects } from "../../support/successful-effects.js";
import { leaseModel } from "../models/lease.model.js";
import { describeInvocation, driveToOutcome, type LeaseRun, startLease } from "./lease-success-policy.js";

type LeaseSnapshot = SnapshotFrom<LeaseMachine>;
type Step = { event: EventObject; state: LeaseSnapshot };

const graph = exploreModel(leaseModel);

/** The atomic states a snapshot rests in, e.g. `lease.requesting_bids.publishing.working`. */
function leafOf(snapshot: LeaseSnapshot): string {
  return snapshot._nodes
    .filter((node: AnyStateNode) => node.type === "atomic" || node.type === "final")
    .map((node: AnyStateNode) => node.id)
    .join(" + ");
}

/** Model states (value plus the context its guards read) restored per lease state, spread over the model's. */
const CASES_PER_STATE = 48;

/** The model's states grouped by the lease state they rest in; a large group is sampled evenly. */
const casesByState = new Map<string, Array<{ key: string; steps: Step[] }>>();
const modelStatesByState = new Map<string, number>();
for (const [key, path] of graph.paths) {
  const leaf = leafOf(path.state);
  const group = casesByState.get(leaf) ?? [];
  group.push({ key, steps: path.steps as Step[] });
  casesByState.set(leaf, group);
}
for (const [leaf, group] of casesByState) {
  modelStatesByState.set(leaf, group.length);
  if (group.length <= CASES_PER_STATE) continue;
  const stride = group.length / CASES_PER_STATE;
  casesByState.set(
    leaf,
    Array.from({ length: CASES_PER_STATE }, (_, index) => group[Math.floor(index * stride)]!),
  );
}

function isActorOutcome(event: EventObject): event is EventObject & { actorId: string; outcome: Outcome } {
  return "outcome" in event && "actorId" in event;
}

/** Replays a model path on a live actor: sends its events and settles its actors as the path says. */
async function runTo(steps: Step[]): Promise<LeaseRun> {
  const run = startLease();
  for (const { event } of steps) {
    if (event.type === "xstate.init") continue;
    if (isActorOutcome(event)) {
      const invocation = run.recorded.running(true).find((running) => running.actorId === event.actorId);
      if (!invocation) throw new Error(`path settles ${event.actorId}, which is not running`);
      const { outcome } = event;
      run.recorded.settle(invocation, "done" in outcome ? { done: outcome.done } : { error: outcome.error });
    } else {
      run.actor.send(event as never);
    }
    await settled();
  }
  return run;
}

function outcomeOf(run: LeaseRun) {
  const snapshot = run.actor.getSnapshot();
  return JSON.parse(
    JSON.stringify({ status: snapshot.status, value: snapshot.value, context: snapshot.context }),
  ) as unknown;
}

/** Effects with an idempotency key that were in flight at a persist and ran again after the restore. */
const keyedReRuns = new Set<string>();
const restoredStates = new Set<string>();

describe("lease machine: persist → JSON → restore in every state", () => {
  for (const [leaf, cases] of casesByState) {
    it(`${leaf} (${cases.length} of ${modelStatesByState.get(leaf)} model states): the restored actor re-runs what was in flight and carries on to the same outcome`, async () => {
      for (const { key, steps } of cases) {
        const original = await runTo(steps);
        expect(leaseModel.serialize(original.actor.getSnapshot()), "live actor reached the model state").toBe(
          key,
        );
        const persisted: unknown = JSON.parse(JSON.stringify(original.actor.getPersistedSnapshot()));
        const inFlight = original.recorded.running(true);
        const originalTrace = await driveToOutcome(original);
        const originalOutcome = outcomeOf(original);
        original.actor.stop();

        const restored = startLease(persisted);
        await settled();
        for (const node of restored.actor.getSnapshot()._nodes) restoredStates.add(node.id);

        // An in-flight promise re-runs on restore, with exactly its input (idempotency key included).
        const reRun = restored.recorded.invocations;
        expect(reRun.map(describeInvocation), `re-run after restoring ${key}`).toEqual(
          inFlight.map(describeInvocation),
        );
        for (const [index, invocation] of reRun.entries()) {
          const input = invocation.input as { key?: unknown };
          if (typeof input.key !== "string") continue;
          const before = inFlight[index];
          if (!before) throw new Error(`${invocation.src} re-ran but was not in flight`);
          expect(input.key).toBe((before.input as { key?: unknown }).key);
          keyedReRuns.add(invocation.src);
        }

        // The restored actor, driven by the same world, does exactly what the original did.
        const restoredTrace = await driveToOutcome(restored);
        expect(restoredTrace, `trace after restoring ${key}`).toEqual(originalTrace);
        expect(outcomeOf(restored), `outcome after restoring ${key}`).toEqual(originalOutcome);
        expect(original.errors).toEqual([]);
        expect(restored.errors).toEqual([]);
        restored.actor.stop();
      }
    });
  }

  it("restored an actor in every state a lease can rest in", () => {
    const transient = transientStateIds(leaseModel.machine);
    const restable = [...declaredStateIds(leaseModel.machine)].filter((id) => !transient.has(id));
    expect(restable.filter((id) => !restoredStates.has(id))).toEqual([]);
  });

  it("re-ran every keyed effect from a restore with its idempotency key", () => {
    expect([...keyedReRuns].sort()).toEqual([...keyedLeaseEffects].sort());
  });
});
