import { planRecovery, type RecoveryPlan } from "../../domain/index.js";
import type { HealthContext } from "./health.context.js";

/** What the chain is called in alerts when a check cannot read it. */
export const CHAIN_ENDPOINT = "the Akash chain (RPC and gRPC)";

/** The incident "Chain unreachable" opens and "Chain reachable again" resolves. */
export const CHAIN_UNREACHABLE_INCIDENT = "chain-unreachable";

/**
 * The recovery policy's plan after `failedChecks` checks in a row could not be made: reconnect with
 * backoff, or (past the policy's limit) escalate. No verdict is ever drawn from a check that failed,
 * so nothing acts on stale reads meanwhile.
 */
export function partitionPlan(context: HealthContext): RecoveryPlan {
  return planRecovery({
    type: "network_partition",
    endpoint: CHAIN_ENDPOINT,
    reconnectAttempts: Math.max(0, (context.failedChecks ?? 1) - 1),
  });
}

/** How long to wait before the next check after a failed one. */
export function reconnectDelayMs(context: HealthContext): number {
  const { action } = partitionPlan(context);
  return action.kind === "reconnect"
    ? Math.min(action.delayMs, context.settings.intervalMs)
    : context.settings.intervalMs;
}
