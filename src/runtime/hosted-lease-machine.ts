import { fromPromise, type PromiseActorLogic } from "xstate";
import type { createLeaseActors } from "../actors/lease-actors.js";
import type { createWaitActors } from "../actors/wait-actors.js";
import { leaseMachine } from "../machines/index.js";
import { runPromiseLogic } from "./run-promise-logic.js";

/** The lease machine's effects for one agent, as src/actors/lease-actors.ts builds them. */
export type LeaseEffects = ReturnType<typeof createLeaseActors>;
export type WaitActors = ReturnType<typeof createWaitActors>;

/**
 * The lease machine provided once for every lease a host runs. `provide` rebuilds the whole state
 * tree (about 100 KB of heap per call, measured), so a host of 10,000 leases cannot provide one machine
 * per agent: each effect here finds its agent's effects from the actor system it runs in (every
 * hosted lease is a root actor with a system of its own) and runs them.
 */
export function provideHostedLeaseMachine(options: {
  /** `system`: the actor system of the lease the effect runs for (each hosted lease is a root with its own). */
  effectsOf: (system: object) => LeaseEffects;
  waits: WaitActors;
}) {
  const dispatch = <TOutput, TInput>(pick: (effects: LeaseEffects) => PromiseActorLogic<TOutput, TInput>) =>
    fromPromise<TOutput, TInput>(({ input, system, signal }) =>
      runPromiseLogic(pick(options.effectsOf(system)), input, signal),
    );
  return leaseMachine.provide({
    actors: {
      ...options.waits,
      generateSdl: dispatch((effects) => effects.generateSdl),
      createDeployment: dispatch((effects) => effects.createDeployment),
      startPausedGroups: dispatch((effects) => effects.startPausedGroups),
      collectBids: dispatch((effects) => effects.collectBids),
      evaluateBids: dispatch((effects) => effects.evaluateBids),
      createLease: dispatch((effects) => effects.createLease),
      confirmLease: dispatch((effects) => effects.confirmLease),
      sendManifest: dispatch((effects) => effects.sendManifest),
      awaitServices: dispatch((effects) => effects.awaitServices),
      planMigration: dispatch((effects) => effects.planMigration),
      closeLease: dispatch((effects) => effects.closeLease),
      closeDeployments: dispatch((effects) => effects.closeDeployments),
    },
  });
}

export type HostedLeaseMachine = ReturnType<typeof provideHostedLeaseMachine>;
