import { setup } from "xstate";
import { backoffDelayMs, retryAfterBackoff, toEffectFailure, waitFor } from "../shared/index.js";
import { leaseActions } from "./lease.actions.js";
import { leaseActorContracts } from "./lease.actors.js";
import { initialLeaseContext, type LeaseContext, type LeaseInput } from "./lease.context.js";
import type { LeaseEvent } from "./lease.events.js";
import { isUpgradeUnderWay, leaseGuards } from "./lease.guards.js";
import {
  escalationTitle,
  exhaustedResourceOf,
  exhaustionFailure,
  planFor,
  refusalFailure,
} from "./lease.policy.js";
import { backingOff, failAttemptAs, failAttemptOnError, recordFailureAt } from "./lease.steps.js";
import { leaseKey } from "./lease.types.js";

/**
 * The lease lifecycle of one agent's own deployment, mapped onto Akash (DESIGN §5):
 *
 * - deploy: generating_sdl → requesting_bids (funding → publishing → collecting) → evaluating_bids →
 *   accepting_bid (MsgCreateLease) → creating_lease (lease seen on chain) → deploying (manifest sent)
 *   → starting (services ready) → active → monitoring.
 * - renewing = an escrow top-up through the treasury when runway runs low (there is no lease to re-sign).
 * - scaling = a new deployment with bigger resources, make-before-break; the old one drains after.
 * - migrating = make-before-break to another provider (the old lease drains once the new one is
 *   ready), or, when the old provider is gone, close its lease and rebid on the same dseq.
 * - a rebid on the same dseq passes requesting_bids.reopening: a group its provider paused (by closing
 *   the lease) is started again (MsgStartGroup), which opens the next order.
 * - every failure is noted as the recovery policy's failure event (`noteFailure`) and the lease does
 *   what `planRecovery` plans for it (lease.policy.ts); the chart has no rules of its own. Failures of
 *   the running lease are assessed in `active.assessing` (migrate, restart in place, top up, wait for
 *   an emergency swap, scale, reconnect, rebid, redeploy, or escalate and stay); failures of a
 *   deployment flow in `recovery` (release the failed lease and retry on another provider, wait for
 *   an emergency swap, or give up: failed + critical alert, or abandon a failed move without
 *   touching the lease that still serves).
 * - terminating closes every deployment the agent holds (escrow is refunded); failed closes the
 *   half-made deployment so nothing is orphaned and waits for LEASE.RETRY.
 *
 * Every step that touches the outside world is an invoked actor with an idempotency key in its
 * input; a retryable failure waits (capped exponential backoff, a `waitFor` actor) and runs the step
 * again. No `after` delays: they are not restored after a crash.
 */
/** Nothing to lease: no bid, or none within the price limit from an allowed provider. */
const noAcceptableBid = {
  type: "noteFailure" as const,
  params: { failure: { type: "no_acceptable_bid" as const } },
};

/** A failure of the lease's provider, as the policy names it. */
const providerFailure = (
  type: "provider_degraded" | "provider_offline" | "certificate_expired" | "lease_reclaiming",
) => ({
  type: "noteFailure" as const,
  params: ({ event }: { event: { provider: string } }) => ({ failure: { type, provider: event.provider } }),
});

/** A restart in place did not bring the services back: the policy decides again, counting it. */
const restartFailed = {
  type: "noteFailure" as const,
  params: ({ context }: { context: LeaseContext }) => ({
    failure: {
      type: "services_failed" as const,
      provider: context.lease!.provider,
      restartsMade: context.restartsMade ?? 0,
    },
  }),
};

/** A move for the failure at hand (kept as `moveCause`, so a move short of funds can be tried again). */
const startMoveFlow = {
  type: "startFlow" as const,
  params: ({ context }: { context: LeaseContext }) => ({
    purpose: "migrate" as const,
    moveCause: context.failure ?? null,
  }),
};

/** Says so when the bids had to be scored without the provider directory. */
const directoryAlert = {
  type: "alertIfDirectoryUnavailable" as const,
  params: ({ event }: { event: { output: { directoryUnavailable?: string } } }) => ({
    reason: event.output.directoryUnavailable,
  }),
};

export const leaseMachine = setup({
  types: {
    context: {} as LeaseContext,
    events: {} as LeaseEvent,
    input: {} as LeaseInput,
  },
  actors: { ...leaseActorContracts, waitFor },
  guards: leaseGuards,
  actions: leaseActions,
}).createMachine({
  id: "lease",
  context: ({ input }) => initialLeaseContext(input),
  initial: "undeployed",
  on: {
    "LEASE.SHUTDOWN": [{ guard: "hasNothingOnChain", target: ".terminated" }, { target: ".terminating" }],
  },
  states: {
    undeployed: {
      on: {
        "LEASE.DEPLOY": {
          target: "generating_sdl",
          actions: [
            { type: "useResources", params: ({ event }) => ({ resources: event.resources }) },
            { type: "startFlow", params: { purpose: "deploy" } },
          ],
        },
      },
    },

    generating_sdl: {
      initial: "working",
      entry: "countGeneration",
      states: {
        working: {
          invoke: {
            src: "generateSdl",
            input: ({ context }) => ({
              key: `${context.agentId}:sdl:${context.generation}`,
              agentId: context.agentId,
              resources: context.resources,
              purpose: context.purpose,
              ...(context.upgrade && isUpgradeUnderWay(context) ? { image: context.upgrade.to } : {}),
            }),
            onDone: {
              target: "#lease.requesting_bids",
              actions: { type: "storeDeployment", params: ({ event }) => ({ deployment: event.output }) },
            },
            onError: [
              retryAfterBackoff,
              {
                guard: "hasPrevious",
                target: "#lease.active.monitoring",
                actions: [
                  recordFailureAt("generating_sdl"),
                  "abandonNewDeployment",
                  {
                    type: "alertMoveAbandoned",
                    params: ({ event }) => ({
                      message: `The SDL for the new deployment could not be made (${toEffectFailure(event.error).message}); the agent stays on its current lease.`,
                    }),
                  },
                  { type: "endUpgrade", params: { state: "rolled_back" } },
                ],
              },
              {
                target: "#lease.failed",
                actions: recordFailureAt("generating_sdl"),
              },
            ],
          },
        },
        backing_off: backingOff("working"),
      },
    },

    requesting_bids: {
      initial: "funding",
      states: {
        funding: {
          entry: { type: "requestFunds", params: { purpose: "deployment_deposit" } },
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.requestTimeoutMs }),
            onDone: { target: "funding", reenter: true },
          },
          on: {
            "TREASURY.REQUEST_GRANTED": {
              guard: {
                type: "answersPendingRequest",
                params: ({ event }) => ({ requestId: event.requestId }),
              },
              // The emergency-swap count is kept until the deployment is paid for (its tx too needs AKT).
              target: "publishing",
              actions: "clearPendingRequest",
            },
            "TREASURY.REQUEST_REFUSED": {
              guard: {
                type: "answersPendingRequest",
                params: ({ event }) => ({ requestId: event.requestId }),
              },
              target: "#lease.recovery",
              actions: [
                "clearPendingRequest",
                {
                  type: "noteFailure",
                  params: ({ context, event }) => ({
                    failure: refusalFailure(context, event, "deployment_deposit"),
                  }),
                },
                {
                  type: "alert",
                  params: ({ event }) => ({
                    severity: "critical" as const,
                    title: "Deployment deposit refused",
                    message: `The treasury refused the deposit for a new deployment: ${event.reason}`,
                  }),
                },
              ],
            },
          },
        },
        /** The policy planned an emergency CRO→AKT swap (the treasury makes it): wait, then ask again. */
        awaiting_funds: {
          entry: "countEmergencySwap",
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.requestTimeoutMs }),
            onDone: "funding",
          },
        },
        publishing: {
          initial: "working",
          states: {
            working: {
              invoke: {
                src: "createDeployment",
                input: ({ context }) => ({
                  key: `${context.agentId}:deployment:${context.deployment?.dseq}`,
                  deployment: context.deployment!,
                  depositUact: context.settings.initialDepositUact,
                  keepDseqs: [context.lease?.dseq, context.previous?.dseq].filter(
                    (dseq): dseq is string => dseq !== undefined,
                  ),
                }),
                onDone: {
                  target: "#lease.requesting_bids.collecting",
                  actions: ["clearRetries", "clearEmergency"],
                },
                onError: [
                  retryAfterBackoff,
                  {
                    // The account could not pay (AKT for the fee, ACT for the deposit): a shortfall an
                    // emergency swap may fix, like a deposit the treasury refused for funds.
                    guard: {
                      type: "isInsufficientFunds",
                      params: ({ event }) => ({ error: event.error }),
                    },
                    target: "#lease.recovery",
                    actions: [
                      recordFailureAt("requesting_bids"),
                      {
                        type: "noteFailure",
                        params: ({ context }) => ({
                          failure: {
                            type: "lease_insufficient_funds" as const,
                            shortfallUact: context.settings.initialDepositUact,
                            need: "deployment_deposit" as const,
                            emergencySwapsTried: context.emergencySwapsTried ?? 0,
                          },
                        }),
                      },
                    ],
                  },
                  {
                    target: "#lease.recovery",
                    actions: [
                      recordFailureAt("requesting_bids"),
                      {
                        type: "noteFailure",
                        params: ({ event }) => ({
                          failure: {
                            type: "deployment_rejected" as const,
                            reason: toEffectFailure(event.error).message,
                          },
                        }),
                      },
                    ],
                  },
                ],
              },
            },
            backing_off: backingOff("working"),
          },
        },
        /**
         * A rebid on the same deployment: a provider that closed its lease paused the group (as on
         * Akash), so no order opens until the owner starts it again (MsgStartGroup, next oseq).
         */
        reopening: {
          initial: "working",
          states: {
            working: {
              invoke: {
                src: "startPausedGroups",
                input: ({ context }) => ({
                  key: `${context.agentId}:start-group:${context.deployment!.dseq}`,
                  dseq: context.deployment!.dseq,
                }),
                onDone: { target: "#lease.requesting_bids.collecting", actions: "clearRetries" },
                onError: failAttemptOnError("reopening", "deployment_failed"),
              },
            },
            backing_off: backingOff("working"),
          },
        },
        collecting: {
          initial: "working",
          states: {
            working: {
              invoke: {
                src: "collectBids",
                input: ({ context }) => ({
                  dseq: context.deployment!.dseq,
                  minBids: context.settings.minBids,
                  windowMs: context.settings.bidWindowMs,
                  excludedProviders: context.excludedProviders,
                }),
                onDone: [
                  {
                    guard: { type: "hasBids", params: ({ event }) => ({ bids: event.output.bids }) },
                    target: "#lease.evaluating_bids",
                    actions: { type: "storeBids", params: ({ event }) => ({ bids: event.output.bids }) },
                  },
                  { guard: "canRetryStep", target: "backing_off", actions: "countRetry" },
                  {
                    target: "#lease.recovery",
                    actions: [
                      noAcceptableBid,
                      {
                        type: "alert",
                        params: {
                          severity: "critical",
                          title: "No bids",
                          message: "No provider bid on the deployment.",
                        },
                      },
                    ],
                  },
                ],
                onError: [
                  retryAfterBackoff,
                  {
                    target: "#lease.recovery",
                    actions: [recordFailureAt("collecting"), failAttemptAs("deployment_failed")],
                  },
                ],
              },
            },
            backing_off: backingOff("working"),
          },
        },
      },
    },

    evaluating_bids: {
      invoke: {
        src: "evaluateBids",
        input: ({ context }) => ({
          dseq: context.deployment!.dseq,
          bids: context.bids,
          maxPriceUact: context.deployment!.maxPriceUact,
          excludedProviders: context.excludedProviders,
        }),
        onDone: [
          {
            guard: { type: "hasChosenBid", params: ({ event }) => ({ chosen: event.output.chosen }) },
            target: "accepting_bid",
            actions: [{ type: "storeChoice", params: ({ event }) => event.output }, directoryAlert],
          },
          {
            guard: "canRetryStep",
            target: "requesting_bids.collecting.backing_off",
            actions: [
              { type: "storeChoice", params: ({ event }) => event.output },
              directoryAlert,
              "countRetry",
            ],
          },
          {
            target: "recovery",
            actions: [
              { type: "storeChoice", params: ({ event }) => event.output },
              directoryAlert,
              noAcceptableBid,
              {
                type: "alert",
                params: {
                  severity: "critical",
                  title: "No acceptable bid",
                  message: "Every bid was above the price limit or from an excluded provider.",
                },
              },
            ],
          },
        ],
        onError: [
          {
            guard: "canRetryStep",
            target: "requesting_bids.collecting.backing_off",
            actions: [recordFailureAt("evaluating_bids"), "countRetry"],
          },
          {
            target: "recovery",
            actions: [recordFailureAt("evaluating_bids"), failAttemptAs("deployment_failed")],
          },
        ],
      },
    },

    accepting_bid: {
      initial: "working",
      states: {
        working: {
          invoke: {
            src: "createLease",
            input: ({ context }) => ({
              key: `${context.agentId}:lease:${leaseKey(context.chosenBid!)}`,
              bid: context.chosenBid!,
            }),
            onDone: { target: "#lease.creating_lease", actions: "clearRetries" },
            onError: [
              {
                guard: { type: "isBidGone", params: ({ event }) => ({ error: event.error }) },
                target: "#lease.requesting_bids.collecting",
                actions: recordFailureAt("accepting_bid"),
              },
              retryAfterBackoff,
              {
                target: "#lease.recovery",
                actions: [recordFailureAt("accepting_bid"), failAttemptAs("lease_rejected")],
              },
            ],
          },
        },
        backing_off: backingOff("working"),
      },
    },

    creating_lease: {
      initial: "working",
      states: {
        working: {
          invoke: {
            src: "confirmLease",
            input: ({ context }) => ({ lease: context.chosenBid! }),
            onDone: {
              target: "#lease.deploying",
              actions: { type: "storeHostUri", params: ({ event }) => ({ hostUri: event.output.hostUri }) },
            },
            onError: failAttemptOnError("creating_lease", "lease_rejected"),
          },
        },
        backing_off: backingOff("working"),
      },
    },

    deploying: {
      initial: "working",
      states: {
        working: {
          invoke: {
            src: "sendManifest",
            input: ({ context }) => ({
              key: `${context.agentId}:manifest:${leaseKey(context.chosenBid!)}`,
              agentId: context.agentId,
              lease: context.chosenBid!,
              hostUri: context.hostUri!,
              manifestVersion: context.deployment!.manifestVersion,
              resources: context.deployment!.resources,
              ...(context.deployment!.image === undefined ? {} : { image: context.deployment!.image }),
            }),
            onDone: { target: "#lease.starting", actions: "clearRetries" },
            onError: failAttemptOnError("deploying", "deployment_failed"),
          },
        },
        backing_off: backingOff("working"),
      },
    },

    starting: {
      initial: "working",
      states: {
        working: {
          invoke: {
            src: "awaitServices",
            input: ({ context }) => ({ lease: context.chosenBid!, hostUri: context.hostUri! }),
            onDone: [
              {
                guard: "hasPrevious",
                target: "#lease.draining",
                actions: { type: "becomeActive", params: ({ event }) => ({ uris: event.output.uris }) },
              },
              {
                target: "#lease.active",
                actions: { type: "becomeActive", params: ({ event }) => ({ uris: event.output.uris }) },
              },
            ],
            onError: failAttemptOnError("starting", "service_start_failed"),
          },
        },
        backing_off: backingOff("working"),
      },
    },

    active: {
      entry: [
        {
          type: "notify",
          params: ({ context }) => ({ notice: { type: "LEASE.ACTIVE", lease: context.lease! } }),
        },
      ],
      initial: "awaiting_health",
      states: {
        awaiting_health: {
          on: {
            "HEALTH.PASSED": {
              target: "monitoring",
              actions: { type: "noteHealthy", params: ({ event }) => event },
            },
          },
        },
        monitoring: {
          on: { "HEALTH.PASSED": { actions: { type: "noteHealthy", params: ({ event }) => event } } },
        },
        /** What the recovery policy plans for a failure of the running lease. */
        assessing: {
          always: [
            {
              guard: { type: "plans", params: { kind: "migrate" } },
              target: "#lease.migrating",
              actions: ["alertMove", "noteMigration"],
            },
            {
              guard: { type: "plans", params: { kind: "restart-services" } },
              target: "#lease.recovery.restarting",
            },
            { guard: { type: "plans", params: { kind: "top-up-escrow" } }, target: "renewing" },
            {
              guard: { type: "plans", params: { kind: "emergency-swap" } },
              target: "awaiting_funds",
              actions: { type: "alertPlan", params: { title: "Escrow top-up refused" } },
            },
            {
              guard: { type: "plans", params: { kind: "scale-up" } },
              target: "#lease.scaling",
              actions: "scaleUp",
            },
            {
              guard: { type: "plans", params: { kind: "reproduce" } },
              target: "monitoring",
              actions: {
                type: "notify",
                params: ({ context }) => ({
                  notice: { type: "LEASE.SCALE_CAPPED", resource: exhaustedResourceOf(context) ?? "cpu" },
                }),
              },
            },
            {
              guard: { type: "plans", params: { kind: "rebid" } },
              target: "#lease.requesting_bids.reopening",
              actions: ["releaseClosedLease", { type: "alertPlan", params: { title: "Lease closed" } }],
            },
            {
              guard: { type: "plans", params: { kind: "redeploy" } },
              target: "#lease.generating_sdl",
              actions: [
                { type: "alertPlan", params: { title: "Deployment closed" } },
                "forgetDeployment",
                { type: "startFlow", params: { purpose: "deploy" } },
              ],
            },
            // Reconnecting is the health monitor's next checks; nothing moves meanwhile.
            { guard: { type: "plans", params: { kind: "reconnect" } }, target: "monitoring" },
            {
              target: "monitoring",
              actions: {
                type: "alertPlan",
                params: ({ context }) => ({ title: escalationTitle(context) }),
              },
            },
          ],
        },
        renewing: {
          entry: { type: "requestFunds", params: { purpose: "escrow_top_up" } },
          exit: "clearPendingRequest",
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.requestTimeoutMs }),
            onDone: { target: "renewing", reenter: true },
          },
          on: {
            "HEALTH.PASSED": { actions: { type: "noteHealthy", params: ({ event }) => event } },
            "LEASE.ESCROW_LOW": {
              guard: { type: "isRunwayReadCurrent", params: ({ event }) => event },
              actions: { type: "noteRunway", params: ({ event }) => event },
            },
            "TREASURY.REQUEST_GRANTED": {
              guard: {
                type: "answersPendingRequest",
                params: ({ event }) => ({ requestId: event.requestId }),
              },
              target: "monitoring",
              actions: [
                "countTopUp",
                "clearEmergency",
                "clearFailure",
                { type: "noteToppedUp", params: ({ event }) => ({ at: event.at }) },
              ],
            },
            "TREASURY.REQUEST_REFUSED": {
              guard: {
                type: "answersPendingRequest",
                params: ({ event }) => ({ requestId: event.requestId }),
              },
              target: "assessing",
              actions: [
                "countTopUp",
                {
                  type: "noteFailure",
                  params: ({ context, event }) => ({
                    failure: refusalFailure(context, event, "escrow_top_up"),
                  }),
                },
              ],
            },
          },
        },
        /** The policy planned an emergency CRO→AKT swap (the treasury makes it): wait, then top up again. */
        awaiting_funds: {
          entry: "countEmergencySwap",
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.requestTimeoutMs }),
            onDone: "renewing",
          },
          on: {
            "HEALTH.PASSED": { actions: { type: "noteHealthy", params: ({ event }) => event } },
            "LEASE.ESCROW_LOW": {
              guard: { type: "isRunwayReadCurrent", params: ({ event }) => event },
              actions: { type: "noteRunway", params: ({ event }) => event },
            },
          },
        },
        /**
         * A move for a failure of this lease (a reclaim, an offline provider) was abandoned for lack of
         * funds, and the reason to move still holds (the health monitor reports it once): the move is
         * planned again as soon as the treasury's swap brings AKT, or after a backoff that grows with
         * each deferral (funds sent by the operator). A passing health check means the lease is well
         * again: nothing to move for.
         */
        move_deferred: {
          entry: "countDeferredMove",
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({
              ms: backoffDelayMs(Math.max(0, (context.deferredMoves ?? 1) - 1), context.settings.retry),
            }),
            onDone: { target: "assessing", actions: "retryDeferredMove" },
          },
          on: {
            "TREASURY.SWAPPED": { target: "assessing", actions: "retryDeferredMove" },
            "HEALTH.PASSED": {
              target: "monitoring",
              actions: [{ type: "noteHealthy", params: ({ event }) => event }, "forgetDeferredMove"],
            },
          },
        },
      },
      on: {
        "LEASE.ESCROW_LOW": {
          guard: { type: "isRunwayReadCurrent", params: ({ event }) => event },
          target: ".assessing",
          actions: [
            { type: "noteRunway", params: ({ event }) => event },
            {
              type: "noteFailure",
              params: ({ context }) => ({
                failure: {
                  type: "lease_expired" as const,
                  provider: context.lease!.provider,
                  leaseActive: true,
                },
              }),
            },
          ],
        },
        "HEALTH.RESOURCES_EXHAUSTED": {
          target: ".assessing",
          actions: {
            type: "noteFailure",
            params: ({ context, event }) => ({ failure: exhaustionFailure(context, event.resource) }),
          },
        },
        "LEASE.UPGRADE": {
          guard: { type: "mayUpgrade", params: ({ event }) => event },
          target: "#lease.generating_sdl",
          actions: ["startUpgrade", { type: "startFlow", params: { purpose: "upgrade" } }],
        },
        "LEASE.MIGRATE": [
          {
            guard: { type: "isLeaseOwnedBy", params: ({ event }) => event },
            actions: {
              type: "notify",
              params: ({ context }) => ({ notice: { type: "LEASE.ACTIVE", lease: context.lease! } }),
            },
          },
          {
            target: "#lease.generating_sdl",
            actions: [
              { type: "noteOwnerMove", params: ({ event }) => event },
              { type: "startFlow", params: { purpose: "migrate" } },
            ],
          },
        ],
        "HEALTH.PROVIDER_DEGRADED": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: ".assessing",
          actions: providerFailure("provider_degraded"),
        },
        "HEALTH.PROVIDER_OFFLINE": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: ".assessing",
          actions: providerFailure("provider_offline"),
        },
        "HEALTH.CERTIFICATE_EXPIRED": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: ".assessing",
          actions: providerFailure("certificate_expired"),
        },
        "LEASE.RECLAIMING": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: ".assessing",
          actions: providerFailure("lease_reclaiming"),
        },
        "HEALTH.INGRESS_UNREACHABLE": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: ".assessing",
          actions: {
            type: "noteFailure",
            params: ({ event }) => ({
              failure: {
                type: "dns_failure" as const,
                provider: event.provider,
                reconnectAttempts: event.failedChecks,
              },
            }),
          },
        },
        "HEALTH.SERVICES_FAILED": {
          target: ".assessing",
          actions: {
            type: "noteFailure",
            params: ({ context }) => ({
              failure: {
                type: "services_failed" as const,
                provider: context.lease!.provider,
                restartsMade: context.restartsMade ?? 0,
              },
            }),
          },
        },
        "LEASE.CLOSED": {
          target: ".assessing",
          actions: {
            type: "noteFailure",
            params: ({ context, event }) => ({
              failure: {
                type: "lease_expired" as const,
                provider: context.lease!.provider,
                leaseActive: false,
                deploymentOpen: event.deploymentOpen,
              },
            }),
          },
        },
      },
    },

    scaling: {
      always: {
        target: "generating_sdl",
        actions: { type: "startFlow", params: { purpose: "scale" } },
      },
    },

    migrating: {
      initial: "planning",
      entry: "excludeCurrentProvider",
      states: {
        planning: {
          invoke: {
            src: "planMigration",
            input: ({ context }) => ({
              lease: context.lease!,
              reason: context.migrationReason ?? "provider",
            }),
            onDone: [
              { guard: { type: "isRebid", params: ({ event }) => event.output }, target: "releasing" },
              { target: "#lease.generating_sdl", actions: startMoveFlow },
            ],
            onError: { target: "#lease.generating_sdl", actions: startMoveFlow },
          },
        },
        releasing: {
          initial: "working",
          states: {
            working: {
              invoke: {
                src: "closeLease",
                input: ({ context }) => ({
                  key: `${context.agentId}:close-lease:${leaseKey(context.lease!)}`,
                  lease: context.lease!,
                }),
                onDone: { target: "#lease.requesting_bids.reopening", actions: "rebidOnSameDeployment" },
                onError: [
                  {
                    // Closed already, e.g. by its provider: which pauses the group, hence reopening.
                    guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                    target: "#lease.requesting_bids.reopening",
                    actions: "rebidOnSameDeployment",
                  },
                  { target: "backing_off", actions: "countRetry" },
                ],
              },
            },
            backing_off: backingOff("working"),
          },
        },
      },
    },

    draining: {
      initial: "choosing",
      states: {
        choosing: {
          always: [{ guard: "isUpgrading", target: "canary" }, { target: "handing_over" }],
        },
        /**
         * An upgrade's new instance runs as a canary (issue 18): activated with the state as it is but not
         * acting, it syncs the relay and must pass its self-test for the monitoring period while this one
         * keeps serving. Unhealthy: the new deployment is closed and the agent stays (`recovery.abandoning`).
         */
        canary: {
          entry: { type: "noteUpgradeState", params: { state: "canary" } },
          invoke: {
            src: "runCanary",
            input: ({ context }) => ({
              key: `${context.agentId}:canary:${context.lease!.dseq}`,
              lease: context.lease!,
              previous: context.previous!,
              image: context.upgrade!.to,
              monitorMs: context.upgrade!.monitorMs,
            }),
            onDone: {
              target: "handing_over",
              actions: ["clearRetries", { type: "noteUpgradeState", params: { state: "handing_over" } }],
            },
            onError: [
              {
                guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                target: "#lease.recovery.abandoning",
                actions: {
                  type: "recordFailure",
                  params: ({ event }) => ({ step: "canary", error: event.error }),
                },
              },
              { target: "canary_backing_off", actions: "countRetry" },
            ],
          },
        },
        canary_backing_off: backingOff("canary"),
        /**
         * An agent that runs inside its own lease hands over to the instance in the new lease before the
         * old one closes (DESIGN §12: make-before-break with handover); the new leader, resuming here
         * from the state it was given, goes on to close the old deployment. Elsewhere this is a no-op.
         */
        handing_over: {
          invoke: {
            src: "handOverToNewLease",
            input: ({ context }) => ({
              key: `${context.agentId}:handover:${context.lease!.dseq}`,
              lease: context.lease!,
              previous: context.previous!,
              ...(context.upgrade && isUpgradeUnderWay(context)
                ? {
                    upgrade: {
                      image: context.upgrade.to,
                      rollbackWindowMs: context.upgrade.rollbackWindowMs,
                    },
                  }
                : {}),
            }),
            onDone: [
              {
                guard: "isUpgrading",
                target: "rollback_window",
                actions: ["clearRetries", { type: "noteUpgradeState", params: { state: "rollback_window" } }],
              },
              { target: "working", actions: "clearRetries" },
            ],
            onError: [
              {
                guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                target: "#lease.recovery.abandoning",
                actions: {
                  type: "recordFailure",
                  params: ({ event }) => ({ step: "handing_over", error: event.error }),
                },
              },
              { target: "handover_backing_off", actions: "countRetry" },
            ],
          },
        },
        handover_backing_off: backingOff("handing_over"),
        /**
         * The new leader keeps the old deployment for the rollback window: the old instance stands by and
         * takes the agent back if this one fails its checks (the handover actor of a standby that took
         * back fails, fatally, and the new deployment is closed by `recovery.abandoning`).
         */
        rollback_window: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.upgrade?.rollbackWindowMs ?? 0 }),
            onDone: "working",
          },
        },
        working: {
          invoke: {
            src: "closeDeployments",
            input: ({ context }) => ({
              key: `${context.agentId}:drain:${context.previous!.dseq}`,
              dseqs: [context.previous!.dseq],
              ...(context.previous!.owner === undefined ? {} : { owner: context.previous!.owner }),
            }),
            onDone: {
              target: "#lease.active",
              actions: [
                {
                  type: "notify",
                  params: ({ context }) => ({
                    notice: { type: "LEASE.DRAINED", dseq: context.previous!.dseq },
                  }),
                },
                "forgetPrevious",
                { type: "endUpgrade", params: { state: "upgraded" } },
              ],
            },
            onError: [
              {
                guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                target: "#lease.active",
                actions: ["forgetPrevious", { type: "endUpgrade", params: { state: "upgraded" } }],
              },
              { target: "backing_off", actions: "countRetry" },
            ],
          },
        },
        backing_off: backingOff("working"),
      },
    },

    recovery: {
      initial: "assessing",
      states: {
        /**
         * What the recovery policy plans for a failure of a deployment flow, or of a restart in place
         * (one restart is allowed, so a failed one is always followed by a move).
         */
        assessing: {
          always: [
            // A new image that fails is the image's fault more likely than the provider's: roll back.
            { guard: "isUpgrading", target: "releasing" },
            {
              guard: { type: "plans", params: { kind: "migrate" } },
              target: "#lease.migrating",
              actions: ["alertMove", "noteMigration"],
            },
            {
              guard: { type: "plans", params: { kind: "emergency-swap" } },
              target: "#lease.requesting_bids.awaiting_funds",
            },
            // retry-deployment or escalate: release the failed lease first, then decide.
            { target: "releasing" },
          ],
        },
        releasing: {
          initial: "checking",
          states: {
            checking: {
              always: [
                { guard: "hasFailedLease", target: "closing" },
                { target: "#lease.recovery.deciding" },
              ],
            },
            closing: {
              invoke: {
                src: "closeLease",
                input: ({ context }) => ({
                  key: `${context.agentId}:close-lease:${leaseKey(context.failedLease!)}`,
                  lease: context.failedLease!,
                  failedAttempt: context.lastError?.message ?? "the deployment attempt failed",
                }),
                onDone: "#lease.recovery.deciding",
                onError: "#lease.recovery.deciding",
              },
            },
          },
        },
        deciding: {
          always: [
            { guard: "isUpgrading", target: "give_up" },
            {
              guard: { type: "plans", params: { kind: "retry-deployment" } },
              target: "#lease.requesting_bids.collecting",
              actions: "countAttempt",
            },
            { target: "give_up" },
          ],
        },
        give_up: {
          always: [{ guard: "hasPrevious", target: "abandoning" }, { target: "#lease.failed" }],
        },
        abandoning: {
          initial: "working",
          states: {
            working: {
              invoke: {
                src: "closeDeployments",
                input: ({ context }) => ({
                  key: `${context.agentId}:abandon:${context.deployment!.dseq}`,
                  dseqs: [context.deployment!.dseq],
                }),
                onDone: [
                  {
                    guard: "isMoveShortOfFunds",
                    target: "#lease.active.move_deferred",
                    actions: [
                      "abandonNewDeployment",
                      {
                        type: "alertMoveAbandoned",
                        params: ({ context }) => ({
                          message: `The new deployment could not be paid for (${planFor(context)?.reason ?? "funds short"}); the agent stays on its current lease and moves once funds arrive (an emergency swap, or AKT sent to its account).`,
                        }),
                      },
                    ],
                  },
                  {
                    target: "#lease.active.monitoring",
                    actions: [
                      "abandonNewDeployment",
                      {
                        type: "alertMoveAbandoned",
                        params: {
                          message:
                            "The new deployment could not be made ready; the agent stays on its current lease.",
                        },
                      },
                      { type: "endUpgrade", params: { state: "rolled_back" } },
                    ],
                  },
                ],
                onError: { target: "backing_off", actions: "countRetry" },
              },
            },
            backing_off: backingOff("working"),
          },
        },
        restarting: {
          entry: "countRestart",
          initial: "resending",
          states: {
            resending: {
              invoke: {
                src: "sendManifest",
                input: ({ context }) => ({
                  key: `${context.agentId}:restart:${leaseKey(context.lease!)}:${context.generation}`,
                  agentId: context.agentId,
                  lease: context.lease!,
                  hostUri: context.lease!.hostUri ?? "",
                  manifestVersion: context.lease!.manifestVersion,
                  resources: context.lease!.resources,
                  ...(context.lease!.image === undefined ? {} : { image: context.lease!.image }),
                }),
                onDone: "verifying",
                onError: { target: "#lease.recovery", actions: restartFailed },
              },
            },
            verifying: {
              invoke: {
                src: "awaitServices",
                input: ({ context }) => ({ lease: context.lease!, hostUri: context.lease!.hostUri ?? "" }),
                onDone: { target: "#lease.active.monitoring", actions: "clearFailure" },
                onError: { target: "#lease.recovery", actions: restartFailed },
              },
            },
          },
        },
      },
    },

    terminating: {
      initial: "working",
      on: { "LEASE.SHUTDOWN": {} },
      states: {
        working: {
          invoke: {
            src: "closeDeployments",
            input: ({ context }) => ({
              key: `${context.agentId}:terminate`,
              dseqs: [
                ...new Set(
                  [context.deployment?.dseq, context.lease?.dseq, context.previous?.dseq].filter(
                    (dseq): dseq is string => dseq !== undefined,
                  ),
                ),
              ],
            }),
            onDone: "#lease.terminated",
            onError: [
              {
                guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                target: "#lease.terminated",
              },
              { target: "backing_off", actions: "countRetry" },
            ],
          },
        },
        backing_off: backingOff("working"),
      },
    },

    failed: {
      entry: [
        {
          type: "alert",
          params: ({ context }) => ({
            severity: "critical" as const,
            title: "Deployment failed",
            message: `The agent could not deploy (${context.lastError?.message ?? "attempts exhausted"}). Fix the cause (funds, providers, settings), then run the agent with --retry (or send LEASE.RETRY).`,
          }),
        },
      ],
      initial: "cleaning_up",
      states: {
        cleaning_up: {
          always: [{ guard: "hasDeployment", target: "closing" }, { target: "idle" }],
        },
        closing: {
          invoke: {
            src: "closeDeployments",
            input: ({ context }) => ({
              key: `${context.agentId}:failed:${context.deployment!.dseq}`,
              dseqs: [context.deployment!.dseq],
            }),
            onDone: { target: "idle", actions: "forgetDeployment" },
            onError: [
              {
                guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                target: "idle",
                actions: "forgetDeployment",
              },
              { target: "backing_off", actions: "countRetry" },
            ],
          },
        },
        backing_off: backingOff("closing"),
        idle: {
          // The parent hears of the failure only once nothing is left open on chain.
          entry: {
            type: "notify",
            params: ({ context }) => ({
              notice: {
                type: "LEASE.FAILED",
                reason: context.lastError?.message ?? "deployment attempts exhausted",
                attempts: Math.min(context.attempt, context.settings.maxAttempts),
              },
            }),
          },
          on: {
            // Only once the clean-up is done: a retry must not stop the close of the half-made deployment.
            "LEASE.RETRY": {
              target: "#lease.generating_sdl",
              actions: ["forgetFailure", { type: "startFlow", params: { purpose: "deploy" } }],
            },
          },
        },
      },
    },

    terminated: {
      type: "final",
      entry: {
        type: "notify",
        params: ({ context }) => ({
          notice: { type: "LEASE.TERMINATED", dseq: context.lease?.dseq ?? context.deployment?.dseq ?? null },
        }),
      },
    },
  },
});

export type LeaseMachine = typeof leaseMachine;
