import { createActor, createMachine, type SnapshotFrom } from "xstate";
import type { EffectError } from "../../src/domain/index.js";
import { type LeaseInput, type LeaseMachine, leaseMachine } from "../../src/machines/index.js";
import type { GenerateSdlInput } from "../../src/machines/lease/lease.actors.js";
import { leaseInput } from "../support/machine-fixtures.js";
import { RecordedActors, scriptedBySystem, settled, withActors } from "../support/recorded-actors.js";
import { successfulOutput } from "../support/successful-effects.js";
import { leaseEffects, successfulEvent } from "./restore/lease-success-policy.js";

export type LeaseSnapshot = SnapshotFrom<LeaseMachine>;
/** The image a lease runs unless a test asks for another. */
export const OLD = "ghcr.io/akash-agent/agent-relay:0.1.0";

/**
 * A lease inside a parent that records its notices, every effect scripted: settled as on a good day
 * unless `fail` says otherwise; the SDL records the image it was asked for.
 */
export function hostedLease(input: LeaseInput = leaseInput) {
  const notices: Array<{ type: string; [key: string]: unknown }> = [];
  const host = createActor(
    createMachine({
      invoke: { src: "lease", id: "lease", systemId: "lease", input },
      on: { "*": { actions: ({ event }) => notices.push(event as never) } },
    }).provide({ actors: { lease: withActors(leaseMachine, scriptedBySystem(leaseEffects)) } }),
  );
  const recorded = new RecordedActors().bindTo(host.system);
  host.start();
  const lease = host.getSnapshot().children.lease!;
  const snapshot = () => lease.getSnapshot() as LeaseSnapshot;
  const drive = async (until: (s: LeaseSnapshot) => boolean, fail: Record<string, EffectError> = {}) => {
    for (let step = 0; step < 300; step += 1) {
      const now = snapshot();
      if (until(now)) return;
      const event = successfulEvent(now);
      if (event) lease.send(event);
      else {
        const next = recorded.running(true)[0];
        if (!next) throw new Error(`stuck in ${JSON.stringify(now.value)}`);
        const error = fail[next.src];
        if (error) recorded.settle(next, { error });
        else if (next.src === "generateSdl") {
          const sdlInput = next.input as GenerateSdlInput;
          const done = successfulOutput(next.src, next.input, 0) as object;
          recorded.settle(next, { done: { ...done, image: sdlInput.image ?? OLD } });
        } else recorded.settle(next, { done: successfulOutput(next.src, next.input, 0) });
      }
      await settled();
    }
    throw new Error(`no end in sight: ${JSON.stringify(snapshot().value)}`);
  };
  return { lease, snapshot, drive, notices, recorded };
}
