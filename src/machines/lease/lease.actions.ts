import { assign, type EventObject, enqueueActions } from "xstate";
import type { FailureEvent } from "../../domain/index.js";
import { type AlertSeverity, toEffectFailure } from "../shared/index.js";
import type { LeaseContext } from "./lease.context.js";
import type { FundsRequest, LeaseEvent, LeaseNotice } from "./lease.events.js";
import { isRunwayReadCurrent, topUpAmountUact } from "./lease.funding.js";
import { isUpgradeUnderWay } from "./lease.guards.js";
import { type AttemptFailureType, attemptFailure, moveTitle, planFor } from "./lease.policy.js";
import type { BidSummary, LeaseRef, UpgradeState } from "./lease.types.js";

type ActionArgs = { context: LeaseContext; event: LeaseEvent };

/** A context update typed for the lease machine (an `assign` outside `setup` needs its types spelled out). */
const update = <Params = undefined>(assigner: (args: ActionArgs, params: Params) => Partial<LeaseContext>) =>
  assign<LeaseContext, LeaseEvent, Params, LeaseEvent, never>(assigner);

type Enqueuer<Params> = Parameters<
  typeof enqueueActions<LeaseContext, LeaseEvent, Params, LeaseEvent, never, never, never, never, EventObject>
>[0];
const enqueue = <Params = undefined>(enqueuer: Enqueuer<Params>) =>
  enqueueActions<LeaseContext, LeaseEvent, Params, LeaseEvent, never, never, never, never, EventObject>(
    enqueuer,
  );

/** `providers` with `provider` added once: a provider that failed us is never chosen again. */
function excluding(providers: string[], provider: string | undefined): string[] {
  return provider === undefined || providers.includes(provider) ? providers : [...providers, provider];
}

/** The lease machine's actions: context updates and notices to the parent, named as the chart uses them. */
export const leaseActions = {
  notify: enqueue(({ enqueue, self }, params: { notice: LeaseNotice }) => {
    if (self._parent) enqueue.sendParent(params.notice);
  }),
  alert: enqueue(({ enqueue, self }, params: { severity: AlertSeverity; title: string; message: string }) => {
    if (self._parent) enqueue.sendParent({ type: "ALERT.RAISED", source: "lease", ...params });
  }),
  /** Tells the operator what the recovery policy decided, at the plan's severity. */
  alertPlan: enqueue(({ context, enqueue, self }, params: { title: string }) => {
    const plan = planFor(context);
    if (!plan || !self._parent) return;
    enqueue.sendParent({
      type: "ALERT.RAISED",
      source: "lease",
      severity: plan.severity,
      title: params.title,
      message: `${plan.reason}.`,
    });
  }),
  /**
   * Tells the operator that the running lease moves, at the plan's severity: each move is its own
   * incident (the lease it leaves), so a later move alerts again.
   */
  alertMove: enqueue(({ context, enqueue, self }) => {
    const plan = planFor(context);
    const leaving = context.lease;
    if (!plan || !self._parent) return;
    const from = leaving ? ` (dseq ${leaving.dseq} on ${leaving.provider})` : "";
    enqueue.sendParent({
      type: "ALERT.RAISED",
      source: "lease",
      severity: plan.severity,
      title: moveTitle(context),
      message: `${plan.reason}${from}.`,
      incident: leaving ? `move/${leaving.dseq}/${leaving.provider}` : "move",
    });
  }),
  alertIfDirectoryUnavailable: enqueue(({ enqueue, self }, params: { reason: string | undefined }) => {
    if (params.reason === undefined || !self._parent) return;
    enqueue.sendParent({
      type: "ALERT.RAISED",
      source: "lease",
      severity: "medium",
      title: "Provider directory unavailable",
      message: `The Console API could not be read (${params.reason}); bids were scored from chain data alone (audited attributes, price, our own history). It is tried again at the next evaluation.`,
    });
  }),
  /** A flow starts; a move names the failure of the serving lease it is for (`moveCause`), others none. */
  startFlow: update(
    ({ context }, params: { purpose: LeaseContext["purpose"]; moveCause?: FailureEvent | null }) => ({
      purpose: params.purpose,
      moveCause: params.moveCause ?? null,
      attempt: 1,
      retries: 0,
      bids: [],
      chosenBid: null,
      hostUri: null,
      failedLease: null,
      failure: null,
      emergencySwapsTried: 0,
      previous: params.purpose === "deploy" ? context.previous : context.lease,
    }),
  ),
  useResources: update((_, params: { resources: LeaseContext["resources"] | undefined }) =>
    params.resources ? { resources: params.resources } : {},
  ),
  countGeneration: update(({ context }) => ({ generation: context.generation + 1 })),
  storeDeployment: update((_, params: { deployment: NonNullable<LeaseContext["deployment"]> }) => ({
    deployment: params.deployment,
    retries: 0,
  })),
  storeBids: update((_, params: { bids: BidSummary[] }) => ({ bids: params.bids })),
  // Only a chosen bid ends the step's retries: a count reset when none was acceptable would make
  // the retry of evaluating_bids (collect again, evaluate again) endless.
  storeChoice: update(({ context }, params: { ranked: BidSummary[]; chosen: BidSummary | null }) => ({
    bids: params.ranked,
    chosenBid: params.chosen,
    retries: params.chosen ? 0 : context.retries,
  })),
  storeHostUri: update((_, params: { hostUri: string }) => ({ hostUri: params.hostUri, retries: 0 })),
  clearRetries: update(() => ({ retries: 0 })),
  countRetry: update(({ context }) => ({ retries: context.retries + 1 })),
  recordFailure: update((_, params: { error: unknown; step: string }) => ({
    lastError: { ...toEffectFailure(params.error), step: params.step },
  })),
  failAttempt: update(({ context }, params: { type: AttemptFailureType }) => {
    const bid = context.chosenBid;
    return {
      failure: attemptFailure(context, params.type),
      failedLease: bid ? { dseq: bid.dseq, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider } : null,
      excludedProviders: excluding(context.excludedProviders, bid?.provider),
      retries: 0,
    };
  }),
  countAttempt: update(({ context }) => ({
    attempt: context.attempt + 1,
    failedLease: null,
    chosenBid: null,
  })),
  becomeActive: update(({ context }, params: { uris: string[] }) => {
    const bid = context.chosenBid;
    const deployment = context.deployment;
    if (!bid || !deployment) return {};
    const lease: LeaseRef = {
      dseq: bid.dseq,
      gseq: bid.gseq,
      oseq: bid.oseq,
      provider: bid.provider,
      priceUact: bid.priceUact,
      hostUri: context.hostUri,
      uris: params.uris,
      manifestVersion: deployment.manifestVersion,
      resources: deployment.resources,
      maxPriceUact: deployment.maxPriceUact,
      ...(deployment.owner === undefined ? {} : { owner: deployment.owner }),
      ...(deployment.image === undefined ? {} : { image: deployment.image }),
    };
    return {
      lease,
      attempt: 1,
      retries: 0,
      failure: null,
      restartsMade: 0,
      emergencySwapsTried: 0,
      deferredMoves: 0,
      lastError: null,
    };
  }),
  forgetPrevious: update(() => ({ previous: null, purpose: "deploy" as const })),
  /** A move to another owner's deployment begins: the serving lease is named as `fromOwner`'s. */
  noteOwnerMove: update(({ context }, params: { fromOwner: string; reason: string }) => ({
    migrationReason: params.reason,
    lease: context.lease ? { ...context.lease, owner: context.lease.owner ?? params.fromOwner } : null,
  })),
  abandonNewDeployment: update(({ context }) => ({
    lease: context.previous,
    deployment: context.previous
      ? {
          dseq: context.previous.dseq,
          manifestVersion: context.previous.manifestVersion,
          resources: context.previous.resources,
          // The serving deployment's own limit, not its lease's price: a rebid on it must take what its
          // group takes. A lease from before the field: the abandoned deployment's limit, which the
          // same budget set.
          maxPriceUact:
            context.previous.maxPriceUact ?? context.deployment?.maxPriceUact ?? context.previous.priceUact,
          ...(context.previous.owner === undefined ? {} : { owner: context.previous.owner }),
          ...(context.previous.image === undefined ? {} : { image: context.previous.image }),
        }
      : null,
    resources: context.previous?.resources ?? context.resources,
    previous: null,
    purpose: "deploy" as const,
    attempt: 1,
    retries: 0,
  })),
  /** The failure the recovery policy is asked about next. */
  /** A move that could not be made: the agent stays where it is (an upgrade says so itself, in `endUpgrade`). */
  alertMoveAbandoned: enqueue(({ context, enqueue, self }, params: { message: string }) => {
    if (!self._parent || isUpgradeUnderWay(context)) return;
    enqueue.sendParent({
      type: "ALERT.RAISED",
      source: "lease",
      severity: "high",
      title: "Move abandoned",
      message: params.message,
    });
  }),
  /** An upgrade begins (the flow itself starts with `startFlow`). */
  startUpgrade: update(({ context, event }) => {
    if (event.type !== "LEASE.UPGRADE") return {};
    return {
      upgrade: {
        from: context.lease?.image ?? event.currentImage,
        to: event.image,
        state: "deploying" as const,
        source: event.source,
        monitorMs: event.monitorMs,
        rollbackWindowMs: event.rollbackWindowMs,
        reason: null,
        // The SDL generation this upgrade's deployment gets: unique per attempt.
        id: `upgrade/${event.image}/${context.generation + 1}`,
      },
      // The operator asking again is what lets a rolled-back image be tried again.
      failedImages: (context.failedImages ?? []).filter((image) => image !== event.image),
    };
  }),
  noteUpgradeState: update(({ context }, params: { state: UpgradeState }) =>
    context.upgrade && isUpgradeUnderWay(context)
      ? { upgrade: { ...context.upgrade, state: params.state } }
      : {},
  ),
  /**
   * Ends the upgrade under way, if any: `rolled_back` remembers the image (a changed setting does not ask
   * for it again) and alerts with the reason; both tell the parent.
   */
  endUpgrade: enqueue(({ context, enqueue, self }, params: { state: "upgraded" | "rolled_back" }) => {
    const upgrade = context.upgrade;
    if (!upgrade || !isUpgradeUnderWay(context)) return;
    const reason =
      params.state === "rolled_back"
        ? (context.lastError?.message ?? "the new version did not become ready")
        : null;
    enqueue.assign({
      upgrade: { ...upgrade, state: params.state, reason },
      ...(params.state === "rolled_back"
        ? { failedImages: [...new Set([...(context.failedImages ?? []), upgrade.to])] }
        : {}),
    });
    if (!self._parent) return;
    enqueue.sendParent({
      type: "LEASE.UPGRADE_ENDED",
      from: upgrade.from,
      to: upgrade.to,
      state: params.state,
      reason,
    });
    if (params.state === "rolled_back") {
      enqueue.sendParent({
        type: "ALERT.RAISED",
        source: "lease",
        severity: "high",
        title: "Upgrade rolled back",
        // Each attempt is its own incident: a second rollback (of the same image too) is alerted again.
        incident: upgrade.id ?? `upgrade/${upgrade.to}`,
        message: `The upgrade from ${upgrade.from} to ${upgrade.to} was rolled back: ${reason}. The agent runs ${upgrade.from}; ${upgrade.to} is not tried again until an operator asks for it.`,
      });
    }
  }),
  noteFailure: update((_, params: { failure: FailureEvent }) => ({ failure: params.failure, retries: 0 })),
  clearFailure: update(() => ({ failure: null })),
  countRestart: update(({ context }) => ({ restartsMade: (context.restartsMade ?? 0) + 1 })),
  countEmergencySwap: update(({ context }) => ({
    emergencySwapsTried: (context.emergencySwapsTried ?? 0) + 1,
  })),
  clearEmergency: update(() => ({ emergencySwapsTried: 0 })),
  /** A move abandoned for lack of funds waits to be tried again: one more in a row. */
  countDeferredMove: update(({ context }) => ({ deferredMoves: (context.deferredMoves ?? 0) + 1 })),
  /** The deferred move is tried again: the policy is asked once more about the failure it was for. */
  retryDeferredMove: update(({ context }) => ({ failure: context.moveCause ?? null, retries: 0 })),
  /** The lease is well again (or serves elsewhere): no move is waiting any more. */
  forgetDeferredMove: update(() => ({ moveCause: null, deferredMoves: 0 })),
  releaseClosedLease: update(({ context }) => ({
    excludedProviders: excluding(context.excludedProviders, context.lease?.provider),
    lease: null,
    purpose: "migrate" as const,
    previous: null,
    attempt: 1,
    bids: [],
    chosenBid: null,
  })),
  forgetDeployment: update(() => ({
    deployment: null,
    lease: null,
    previous: null,
    purpose: "deploy" as const,
  })),
  /** A retry after a failure starts over with every provider allowed again. */
  forgetFailure: update(() => ({ lastError: null, excludedProviders: [] })),
  /** Why the lease moves, in the policy's words. */
  noteMigration: update(({ context }) => ({ migrationReason: planFor(context)?.reason ?? "provider" })),
  excludeCurrentProvider: update(({ context }) => ({
    excludedProviders: excluding(context.excludedProviders, context.lease?.provider),
  })),
  rebidOnSameDeployment: update(({ context }) => ({
    lease: null,
    previous: null,
    purpose: "migrate" as const,
    attempt: 1,
    retries: 0,
    bids: [],
    chosenBid: null,
    failedLease: null,
    deployment: context.deployment,
  })),
  /** The larger size the policy planned. */
  scaleUp: update(({ context }) => {
    const action = planFor(context)?.action;
    return action?.kind === "scale-up" ? { resources: action.resources, exhausted: action.resource } : {};
  }),
  noteHealthy: update(({ context }, params: { at: number; escrowRunwayHours: number | null }) => ({
    lastHealthyAt: params.at,
    escrowRunwayHours:
      params.escrowRunwayHours !== null && isRunwayReadCurrent(context.escrowToppedUpAt, params.at)
        ? params.escrowRunwayHours
        : context.escrowRunwayHours,
  })),
  noteRunway: update((_, params: { runwayHours: number }) => ({ escrowRunwayHours: params.runwayHours })),
  requestFunds: enqueue(({ context, enqueue, self }, params: { purpose: FundsRequest["purpose"] }) => {
    const dseq = params.purpose === "escrow_top_up" ? context.lease?.dseq : context.deployment?.dseq;
    if (!dseq) return;
    const request: FundsRequest =
      params.purpose === "escrow_top_up"
        ? {
            requestId: `${context.agentId}:topup:${dseq}:${context.topUps}`,
            purpose: "escrow_top_up",
            dseq,
            amountUact: topUpAmountUact(
              context.lease?.priceUact ?? "0",
              context.escrowRunwayHours ?? 0,
              context.settings.topUpToHours,
              context.settings.blockSeconds,
            ),
            replyTo: context.systemId,
          }
        : {
            // Asked again after an emergency swap: a new id, since the treasury answers an id once.
            requestId: `${context.agentId}:deposit:${dseq}${context.emergencySwapsTried ? `:${context.emergencySwapsTried}` : ""}`,
            purpose: "deployment_deposit",
            dseq,
            amountUact: context.settings.initialDepositUact,
            replyTo: context.systemId,
          };
    enqueue.assign({ pendingRequest: request });
    if (self._parent) enqueue.sendParent({ type: "TREASURY.FUNDS_REQUESTED", ...request });
  }),
  clearPendingRequest: update(() => ({ pendingRequest: null })),
  countTopUp: update(({ context }) => ({ topUps: context.topUps + 1 })),
  noteToppedUp: update(({ context }, params: { at: number | undefined }) => ({
    escrowToppedUpAt: params.at ?? context.escrowToppedUpAt,
  })),
};
