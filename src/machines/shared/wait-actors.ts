import { actorContract } from "./actor-contract.js";

/** Input of `waitUntil`: an absolute time (ms since the epoch). A restored actor waits for the same instant. */
export interface WaitUntilInput {
  until: number;
}

/** Input of `waitFor`: a relative delay; a restore restarts the wait from its beginning (used for backoffs). */
export interface WaitForInput {
  ms: number;
}

/**
 * Every wait in the machines is one of these invoked actors instead of an `after` delay: XState does
 * not restore pending `after` timers, but it re-invokes a restored promise actor with its input, so a
 * wait survives a crash. Implementations: src/actors/wait-actors.ts (timers) or a test clock.
 */
export const waitUntil = actorContract<void, WaitUntilInput>("waitUntil");
export const waitFor = actorContract<void, WaitForInput>("waitFor");
