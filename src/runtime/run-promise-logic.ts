import { createActor, type PromiseActorLogic, toPromise } from "xstate";

/**
 * Runs promise logic (an effect from src/actors) to its end as an actor of its own, and stops it
 * when `signal` aborts: how a host calls an effect it does not invoke from a machine.
 */
export function runPromiseLogic<TOutput, TInput>(
  logic: PromiseActorLogic<TOutput, TInput>,
  input: TInput,
  signal: AbortSignal,
): Promise<TOutput> {
  const actor = createActor(logic, { input });
  const stop = () => actor.stop();
  signal.addEventListener("abort", stop, { once: true });
  actor.start();
  return toPromise(actor).finally(() => signal.removeEventListener("abort", stop));
}
