import { fromPromise } from "xstate";
import { EffectError } from "../domain/index.js";
import type {
  CheckHeartbeatsInput,
  CheckHeartbeatsOutput,
  ChildStepDone,
  ChildStepInput,
  CreateChildIdentityInput,
  EvaluateReproductionInput,
  EvaluateReproductionOutput,
} from "../machines/reproduction/reproduction.actors.js";
import type { ChildIdentity } from "../machines/reproduction/reproduction.types.js";
import type { AgentServices } from "./agent-services.js";

const unavailable = () =>
  new EffectError(
    "fatal",
    "spawning child agents is not part of this build (it needs child funding grants and Nostr heartbeats): keep reproduction.enabled false",
  );

/**
 * Reproduction is switched off in this build (the runtime refuses `reproduction.enabled: true`), so
 * the cycle stays in `disabled` and never invokes these; should it, they fail loudly, never silently.
 * Heartbeat checks are real: they read the children the store knows.
 */
export function createReproductionActors(services: AgentServices, options: { heartbeatTimeoutMs: number }) {
  return {
    evaluateReproduction: fromPromise<EvaluateReproductionOutput, EvaluateReproductionInput>(async () => {
      throw unavailable();
    }),
    createChildIdentity: fromPromise<ChildIdentity, CreateChildIdentityInput>(async () => {
      throw unavailable();
    }),
    registerChild: fromPromise<ChildStepDone, ChildStepInput>(async () => {
      throw unavailable();
    }),
    activateChild: fromPromise<ChildStepDone, ChildStepInput>(async () => {
      throw unavailable();
    }),
    checkHeartbeats: fromPromise<CheckHeartbeatsOutput, CheckHeartbeatsInput>(async ({ input }) => {
      const at = services.now();
      const silent = input.children
        .filter(
          (child) => (child.lastHeartbeatAt ?? child.activatedAt ?? 0) + options.heartbeatTimeoutMs < at,
        )
        .map((child) => child.childId);
      return { at, silent };
    }),
  };
}
