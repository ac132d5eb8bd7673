export {
  EffectError,
  type EffectFailure,
  type FailureKind,
  failureKinds,
  toEffectFailure,
} from "../../domain/effect-failure.js";
export { actorContract } from "./actor-contract.js";
export { backoffDelayMs, canRetryEffect, type RetryPolicy, retryAfterBackoff } from "./backoff.js";
export type {
  AlertNotice,
  AlertSeverity,
  FundsAnswer,
  FundsRequest,
  RefusalCause,
  RoutedFundsAnswer,
} from "./funds-request.js";
export { type WaitForInput, type WaitUntilInput, waitFor, waitUntil } from "./wait-actors.js";
