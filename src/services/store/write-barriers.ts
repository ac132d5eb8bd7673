import type { InspectionEvent } from "xstate";

/**
 * When a persister must write (DESIGN §17). Without barriers every settled step is written. With
 * them a step is written only when it reached a barrier: an actor started whose `src` is not in
 * `readOnly` (an effect is about to run: its intent and the state that asked for it are saved in the
 * same transaction first), an external input was journaled, a write was staged with the step, the root
 * finished, or the host asked (`requireWrite`, `flush`, stop). Steps that only read or wait (health
 * checks, balance polls, timers) stay in memory until the next barrier: after a crash the agent
 * resumes from the last barrier and derives them again.
 */
export interface WriteBarriers {
  /** `src` names (from `setup({ actors })`) of actors that only read or wait: starting one is not a barrier. */
  readonly readOnly: Iterable<string>;
}

/** Decides, from the inspection stream, whether a step reached a barrier. */
export interface BarrierDetector {
  /** True when this event makes the current step a barrier. */
  isBarrier(event: InspectionEvent, root: unknown): boolean;
}

export function barrierDetector(barriers: WriteBarriers): BarrierDetector {
  const readOnly = new Set(barriers.readOnly);
  return {
    isBarrier(event, root) {
      if (event.type === "@xstate.actor") {
        const actor = event.actorRef as { src?: unknown };
        // The root's own creation is not an effect; an actor without a name cannot be classified: write.
        if (event.actorRef === root) return false;
        return typeof actor.src !== "string" || !readOnly.has(actor.src);
      }
      if (event.type === "@xstate.snapshot" && event.actorRef === root) {
        return (event.snapshot as { status?: unknown }).status === "done";
      }
      return false;
    },
  };
}
