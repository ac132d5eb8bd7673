import { fromPromise, type PromiseActorLogic } from "xstate";

/**
 * Declares a promise actor a machine invokes by name, with its input and output types, and no
 * behaviour: a host supplies the implementation with `machine.provide({ actors })` (src/actors for
 * the real network, tests for scripted results). Invoking an unprovided contract fails loudly.
 */
export function actorContract<TOutput, TInput>(name: string): PromiseActorLogic<TOutput, TInput> {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(`the ${name} actor was not provided: use machine.provide({ actors: { ${name} } })`);
  });
}
