import { fromPromise } from "xstate";

/** Promise actors that never settle: for child machines that must exist in a test but not act. */
export function pendingActors(names: readonly string[]) {
  return Object.fromEntries(names.map((name) => [name, fromPromise(() => new Promise<never>(() => {}))]));
}
