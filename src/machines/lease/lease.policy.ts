import {
  DomainInputError,
  type ExhaustedResource,
  type FailureEvent,
  type FundsNeed,
  planRecovery,
  type RecoveryAction,
  type RecoveryPlan,
} from "../../domain/index.js";
import type { FundsAnswer } from "../shared/index.js";
import type { LeaseContext } from "./lease.context.js";
import { topUpAmountUact } from "./lease.funding.js";

/**
 * The lease machine's side of the one recovery policy (`planRecovery` in the domain): it turns what
 * happened into the policy's failure events and reads the plan back. The chart's guards ask only
 * these questions, so every recovery decision comes from the policy.
 */

export type RecoveryKind = RecoveryAction["kind"];

/** A deployment attempt's failure types, by the step that failed. */
export type AttemptFailureType = Extract<
  FailureEvent["type"],
  "lease_rejected" | "deployment_failed" | "deployment_timeout" | "service_start_failed"
>;

/** The plan for the failure the lease is recovering from (none when it is not recovering). */
export function planFor(context: LeaseContext): RecoveryPlan | null {
  const failure = context.failure ?? null;
  if (failure === null) return null;
  try {
    return planRecovery(failure, { maxDeploymentAttempts: context.settings.maxAttempts });
  } catch (error) {
    // A failure event the policy cannot read is a bug of ours; never guess a recovery for it.
    if (!(error instanceof DomainInputError)) throw error;
    return {
      failure: failure.type,
      severity: "critical",
      action: { kind: "escalate", alert: "critical", markFailed: false },
      reason: `the failure could not be assessed (${error.message})`,
    };
  }
}

export function plannedKind(context: LeaseContext): RecoveryKind | null {
  return planFor(context)?.action.kind ?? null;
}

/** The failure of the current deployment attempt at `type`'s step. */
export function attemptFailure(context: LeaseContext, type: AttemptFailureType): FailureEvent {
  return {
    type,
    provider: context.chosenBid?.provider ?? null,
    attempt: context.attempt,
    failedProviders: context.excludedProviders,
  };
}

/** What a refused funds request means for the policy: a shortfall a swap may fix, or not. */
export function refusalFailure(
  context: LeaseContext,
  answer: Extract<FundsAnswer, { type: "TREASURY.REQUEST_REFUSED" }>,
  need: FundsNeed,
): FailureEvent {
  if (answer.cause === "insufficient_funds") {
    // What was asked for (the request itself may already be cleared when the answer is handled).
    const askedUact =
      need === "deployment_deposit"
        ? context.settings.initialDepositUact
        : topUpAmountUact(
            context.lease?.priceUact ?? "0",
            context.escrowRunwayHours ?? 0,
            context.settings.topUpToHours,
            context.settings.blockSeconds,
          );
    return {
      type: "lease_insufficient_funds",
      shortfallUact: askedUact,
      need,
      emergencySwapsTried: context.emergencySwapsTried ?? 0,
    };
  }
  return { type: "funds_refused", need, reason: answer.reason };
}

const EXHAUSTION_FAILURE = {
  memory: "out_of_memory",
  disk: "out_of_disk",
  cpu: "cpu_throttled",
} as const satisfies Record<ExhaustedResource, FailureEvent["type"]>;

/** A resource the health monitor found exhausted, at the size the lease runs now. */
export function exhaustionFailure(context: LeaseContext, resource: ExhaustedResource): FailureEvent {
  return { type: EXHAUSTION_FAILURE[resource], resources: context.resources };
}

/** The resource a plan is about, for the parent's notice when no larger size is left. */
export function exhaustedResourceOf(context: LeaseContext): ExhaustedResource | null {
  const type = context.failure?.type;
  const entry = Object.entries(EXHAUSTION_FAILURE).find(([, failureType]) => failureType === type);
  return entry ? (entry[0] as ExhaustedResource) : null;
}

/** The alert title for a plan that leaves the decision to the operator. */
/** The title of the alert a move raises, named for what made the lease move. */
export function moveTitle(context: LeaseContext): string {
  switch (context.failure?.type) {
    case "provider_offline":
      return "Provider offline";
    case "provider_degraded":
      return "Provider degraded";
    case "certificate_expired":
      return "Provider certificate expired";
    case "lease_reclaiming":
      return "Lease reclaimed";
    default:
      return "Moving to another provider";
  }
}

export function escalationTitle(context: LeaseContext): string {
  const failure = context.failure;
  if (failure?.type === "out_of_disk") return "Storage at its limit";
  if (failure?.type === "funds_refused" || failure?.type === "lease_insufficient_funds") {
    return failure.need === "deployment_deposit" ? "Deployment deposit refused" : "Escrow top-up refused";
  }
  return "Recovery needs the operator";
}
