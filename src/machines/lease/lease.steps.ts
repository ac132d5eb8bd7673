import { backoffDelayMs, retryAfterBackoff } from "../shared/index.js";
import type { LeaseContext } from "./lease.context.js";
import type { AttemptFailureType } from "./lease.policy.js";

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

/** Fails the current deployment attempt as `type` (its provider is excluded; recovery asks the policy). */
export function failAttemptAs(type: AttemptFailureType) {
  return { type: "failAttempt" as const, params: { type } };
}

/**
 * `onError` of a step of a deployment attempt: a retryable failure waits and runs the step again;
 * anything else fails the attempt as `type`, and recovery does what the policy plans for it.
 */
export function failAttemptOnError(step: string, type: AttemptFailureType) {
  return [
    retryAfterBackoff,
    { target: "#lease.recovery", actions: [recordFailureAt(step), failAttemptAs(type)] },
  ];
}
