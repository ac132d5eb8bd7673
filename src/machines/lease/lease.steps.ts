import { backoffDelayMs, retryAfterBackoff } from "../shared/index.js";
import type { LeaseContext } from "./lease.context.js";

/** Waits out the step's backoff (an invoked wait, restored after a crash), then runs `then` again. */
export function backingOff(then: string) {
  return {
    invoke: {
      src: "waitFor" as const,
      input: ({ context }: { context: LeaseContext }) => ({
        ms: backoffDelayMs(context.retries, context.settings.retry),
      }),
      onDone: then,
    },
  };
}

/** Keeps the failed effect's error in context, named by the step it failed in. */
export function recordFailureAt(step: string) {
  return {
    type: "recordFailure" as const,
    params: ({ event }: { event: { error: unknown } }) => ({ error: event.error, step }),
  };
}

/**
 * `onError` of a step of a deployment attempt: a retryable failure waits and runs the step again;
 * anything else fails the attempt (the provider is excluded and recovery releases its lease).
 */
export function failAttemptOnError(step: string) {
  return [
    retryAfterBackoff,
    { target: "#lease.recovery", actions: [recordFailureAt(step), "failAttempt" as const] },
  ];
}
