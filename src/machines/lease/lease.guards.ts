import { canRetryEffect, toEffectFailure } from "../shared/index.js";
import type { LeaseContext } from "./lease.context.js";
import { isRunwayReadCurrent } from "./lease.funding.js";
import { planFor, type RecoveryKind } from "./lease.policy.js";
import type { BidSummary } from "./lease.types.js";

type WithContext = { context: LeaseContext };

/** The lease machine's guards: questions about its context and the event at hand, never I/O. */
export const leaseGuards = {
  isRunwayReadCurrent: ({ context }: WithContext, params: { observedAt: number }) =>
    isRunwayReadCurrent(context.escrowToppedUpAt, params.observedAt),
  isRetryable: ({ context }: WithContext, params: { error: unknown }) =>
    canRetryEffect(params.error, context.retries, context.settings.retry),
  isBidGone: (_: unknown, params: { error: unknown }) => toEffectFailure(params.error).kind === "bid_gone",
  isFatal: (_: unknown, params: { error: unknown }) => toEffectFailure(params.error).kind === "fatal",
  isInsufficientFunds: (_: unknown, params: { error: unknown }) =>
    toEffectFailure(params.error).kind === "insufficient_funds",
  canRetryStep: ({ context }: WithContext) => context.retries < context.settings.retry.maxRetries,
  hasBids: (_: unknown, params: { bids: BidSummary[] }) => params.bids.length > 0,
  hasChosenBid: (_: unknown, params: { chosen: BidSummary | null }) => params.chosen !== null,
  hasPrevious: ({ context }: WithContext) => context.previous !== null,
  hasNothingOnChain: ({ context }: WithContext) => context.deployment === null && context.lease === null,
  hasDeployment: ({ context }: WithContext) => context.deployment !== null,
  hasFailedLease: ({ context }: WithContext) => context.failedLease !== null,
  /** The recovery policy's plan for the failure at hand is of this kind. */
  plans: ({ context }: WithContext, params: { kind: RecoveryKind }) =>
    planFor(context)?.action.kind === params.kind,
  /** The policy gives up on this flow: escalate and mark it failed. */
  plansFailure: ({ context }: WithContext) => {
    const action = planFor(context)?.action;
    return action?.kind === "escalate" && action.markFailed;
  },
  answersPendingRequest: ({ context }: WithContext, params: { requestId: string }) =>
    context.pendingRequest?.requestId === params.requestId,
  deploymentStillOpen: (_: unknown, params: { deploymentOpen: boolean }) => params.deploymentOpen,
  isCurrentProvider: ({ context }: WithContext, params: { provider: string }) =>
    context.lease?.provider === params.provider,
  /** The serving lease is already in a deployment of `owner` (a lease without one is the first key's). */
  isLeaseOwnedBy: ({ context }: WithContext, params: { owner: string }) =>
    context.lease?.owner === params.owner,
  isRebid: (_: unknown, params: { strategy: "rebid" | "new_deployment" }) => params.strategy === "rebid",
  /**
   * The move being abandoned was for a failure of the serving lease and failed for lack of funds (AKT
   * for fees, ACT for the deposit): once a swap or the operator brings funds it is worth trying again.
   */
  isMoveShortOfFunds: ({ context }: WithContext) =>
    context.purpose === "migrate" &&
    (context.moveCause ?? null) !== null &&
    context.failure?.type === "lease_insufficient_funds" &&
    !isUpgradeUnderWay(context),
  /** An upgrade is under way (asked for and not yet upgraded or rolled back). */
  isUpgrading: ({ context }: WithContext) => isUpgradeUnderWay(context),
  /**
   * An upgrade to `image` may start: the lease serves another image, and a changed setting does not
   * ask again for an image an upgrade was rolled back from (the operator may).
   */
  mayUpgrade: (
    { context }: WithContext,
    params: { image: string; currentImage: string; source: "admin" | "config" },
  ) =>
    context.lease !== null &&
    params.image !== (context.lease.image ?? params.currentImage) &&
    !(params.source === "config" && (context.failedImages ?? []).includes(params.image)),
};

export function isUpgradeUnderWay(context: Pick<LeaseContext, "upgrade">): boolean {
  const state = context.upgrade?.state;
  return state !== undefined && state !== "upgraded" && state !== "rolled_back";
}
