import type { SnapshotFrom } from "xstate";
import { type LeaseMachine, leaseMachine } from "../../../src/machines/index.js";
import { isUpgradeUnderWay } from "../../../src/machines/lease/lease.guards.js";
import { planFor } from "../../../src/machines/lease/lease.policy.js";
import { bid, deployment, errors, leaseInput } from "../../support/machine-fixtures.js";
import type { MachineModel } from "../../support/model-paths.js";

type LeaseSnapshot = SnapshotFrom<LeaseMachine>;

const UPGRADE_IMAGE = "ghcr.io/akash-agent/agent-relay:0.2.0";

/** The context that guards read; counters that only feed idempotency keys are left out. */
function serialize(snapshot: LeaseSnapshot): string {
  const c = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    status: snapshot.status,
    purpose: c.purpose,
    attempt: c.attempt,
    retries: Math.min(c.retries, c.settings.retry.maxRetries),
    excluded: c.excludedProviders.length,
    deployment: c.deployment !== null,
    chosen: c.chosenBid !== null,
    lease: c.lease !== null,
    owned: c.lease?.owner !== undefined,
    previous: c.previous !== null,
    failedLease: c.failedLease !== null,
    // The plan is read again only by the flow's recovery (deciding after releasing a failed lease);
    // restart and emergency-swap counts change which plan comes, not which transitions exist.
    plan: JSON.stringify(snapshot.value).includes("releasing") ? planFor(c)?.action.kind : null,
    pending: c.pendingRequest?.purpose ?? null,
    // While a deployment is paid for, whether an emergency swap was waited for decides between waiting
    // again and giving up; what a move is abandoned for decides where the lease goes (funds short and
    // a failure of the lease to move for: a deferred move).
    swapsTried:
      snapshot.matches("requesting_bids") || snapshot.matches("recovery")
        ? Math.min(c.emergencySwapsTried ?? 0, 1)
        : null,
    abandonedFor: snapshot.matches({ recovery: "abandoning" })
      ? `${c.failure?.type ?? null}/${(c.moveCause ?? null) !== null}`
      : null,
    memoryAtCap: c.resources.memoryGi >= 16,
    upgrading: isUpgradeUnderWay(c),
    // Whether the serving image is the one an upgrade asks for (the guard compares them).
    upgraded: c.lease?.image === UPGRADE_IMAGE,
  });
}

function events(snapshot: LeaseSnapshot) {
  const pending = snapshot.context.pendingRequest;
  const provider = snapshot.context.lease?.provider ?? bid.provider;
  return [
    { type: "LEASE.DEPLOY" as const },
    { type: "LEASE.RETRY" as const },
    { type: "LEASE.SHUTDOWN" as const },
    ...(pending
      ? [
          { type: "TREASURY.REQUEST_GRANTED" as const, requestId: pending.requestId },
          {
            type: "TREASURY.REQUEST_REFUSED" as const,
            requestId: pending.requestId,
            reason: "daily cap",
            cause: "cap" as const,
          },
          {
            type: "TREASURY.REQUEST_REFUSED" as const,
            requestId: pending.requestId,
            reason: "not enough AKT",
            cause: "insufficient_funds" as const,
          },
        ]
      : []),
    { type: "HEALTH.PASSED" as const, at: 1, escrowRunwayHours: 30 },
    { type: "HEALTH.SERVICES_FAILED" as const, reason: "0 of 3 ready" },
    { type: "HEALTH.PROVIDER_DEGRADED" as const, provider, reason: "slow" },
    { type: "HEALTH.PROVIDER_OFFLINE" as const, provider },
    { type: "HEALTH.CERTIFICATE_EXPIRED" as const, provider },
    { type: "HEALTH.INGRESS_UNREACHABLE" as const, provider, failedChecks: 1, reason: "ENOTFOUND" },
    { type: "HEALTH.INGRESS_UNREACHABLE" as const, provider, failedChecks: 10, reason: "ENOTFOUND" },
    { type: "HEALTH.RESOURCES_EXHAUSTED" as const, resource: "memory" as const, usagePercent: 95 },
    { type: "LEASE.ESCROW_LOW" as const, runwayHours: 10, observedAt: 1 },
    { type: "LEASE.RECLAIMING" as const, provider, deadline: 5 },
    { type: "LEASE.CLOSED" as const, reason: "provider closed", deploymentOpen: true },
    { type: "LEASE.CLOSED" as const, reason: "insufficient_funds", deploymentOpen: false },
    // The treasury's swap brought AKT: what a deferred move waits for (asked there only, to keep paths few).
    ...(snapshot.matches({ active: "move_deferred" })
      ? [{ type: "TREASURY.SWAPPED" as const, receivedUakt: "10000000" }]
      : []),
    // An Akash key rotation, asked of a lease that serves (the transition exists in every `active`
    // state; asking it elsewhere too would multiply the paths): into the next key's deployment, or
    // (answered at once) the deployment it is in.
    ...(snapshot.matches({ active: "monitoring" })
      ? [
          {
            type: "LEASE.MIGRATE" as const,
            owner: snapshot.context.lease?.owner ?? "akash1next",
            fromOwner: "akash1old",
            reason: "rotation",
          },
          // An upgrade (issue 18), asked by the operator.
          {
            type: "LEASE.UPGRADE" as const,
            image: UPGRADE_IMAGE,
            currentImage: "ghcr.io/akash-agent/agent-relay:0.1.0",
            source: "admin" as const,
            monitorMs: 1_000,
            rollbackWindowMs: 1_000,
          },
        ]
      : []),
  ];
}

export const leaseModel: MachineModel<LeaseMachine> = {
  machine: leaseMachine,
  input: leaseInput,
  serialize,
  events,
  outcomes: {
    generateSdl: [
      { label: "ok", done: deployment },
      { label: "retryable", error: errors.retryable },
      { label: "fatal", error: errors.fatal },
    ],
    createDeployment: [
      { label: "ok", done: undefined },
      { label: "retryable", error: errors.retryable },
      { label: "no funds", error: errors.insufficientFunds },
    ],
    startPausedGroups: [
      { label: "ok", done: undefined },
      { label: "retryable", error: errors.retryable },
      { label: "fatal", error: errors.fatal },
    ],
    collectBids: [
      { label: "bids", done: { bids: [bid] } },
      { label: "none", done: { bids: [] } },
      { label: "retryable", error: errors.retryable },
      { label: "provider", error: errors.provider },
    ],
    evaluateBids: [
      { label: "chosen", done: { ranked: [bid], chosen: bid } },
      { label: "none acceptable", done: { ranked: [], chosen: null } },
      { label: "retryable", error: errors.retryable },
    ],
    createLease: [
      { label: "ok", done: undefined },
      { label: "bid gone", error: errors.bidGone },
      { label: "retryable", error: errors.retryable },
      { label: "provider", error: errors.provider },
    ],
    confirmLease: [
      { label: "ok", done: { hostUri: "https://provider.test:8443" } },
      { label: "retryable", error: errors.retryable },
      { label: "provider", error: errors.provider },
    ],
    sendManifest: [
      { label: "ok", done: undefined },
      { label: "retryable", error: errors.retryable },
      { label: "provider", error: errors.provider },
    ],
    awaitServices: [
      { label: "ready", done: { uris: ["relay.ingress.test"] } },
      { label: "retryable", error: errors.retryable },
      { label: "provider", error: errors.provider },
    ],
    planMigration: [
      { label: "rebid", done: { strategy: "rebid" } },
      { label: "new deployment", done: { strategy: "new_deployment" } },
      { label: "retryable", error: errors.retryable },
    ],
    closeLease: [
      { label: "ok", done: undefined },
      { label: "retryable", error: errors.retryable },
      { label: "fatal", error: errors.fatal },
    ],
    closeDeployments: [
      { label: "ok", done: undefined },
      { label: "retryable", error: errors.retryable },
      { label: "fatal", error: errors.fatal },
    ],
    handOverToNewLease: [
      { label: "ok", done: undefined },
      { label: "retryable", error: errors.retryable },
      { label: "fatal", error: errors.fatal },
    ],
    runCanary: [
      { label: "healthy", done: undefined },
      { label: "retryable", error: errors.retryable },
      { label: "unhealthy", error: errors.fatal },
    ],
    waitFor: [{ label: "elapsed", done: undefined }],
  },
};
