import { setup } from "xstate";
import { retryAfterBackoff, toEffectFailure, waitFor } from "../shared/index.js";
import { leaseActions } from "./lease.actions.js";
import { leaseActorContracts } from "./lease.actors.js";
import { initialLeaseContext, type LeaseContext, type LeaseInput } from "./lease.context.js";
import type { LeaseEvent } from "./lease.events.js";
import { leaseGuards } from "./lease.guards.js";
import { backingOff, failAttemptOnError, recordFailureAt } from "./lease.steps.js";
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
 * - recovery handles every failure: release a failed lease and retry with another provider (up to
 *   `maxAttempts`, then failed + critical alert), restart unhealthy services in place, rebid or
 *   redeploy after the chain closed the lease, and abandon a failed migration without touching the
 *   lease that still serves.
 * - terminating closes every deployment the agent holds (escrow is refunded); failed closes the
 *   half-made deployment so nothing is orphaned and waits for LEASE.RETRY.
 *
 * Every step that touches the outside world is an invoked actor with an idempotency key in its
 * input; a retryable failure waits (capped exponential backoff, a `waitFor` actor) and runs the step
 * again. No `after` delays: they are not restored after a crash.
 */
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
                    type: "alert",
                    params: ({ event }) => ({
                      severity: "high" as const,
                      title: "Move abandoned",
                      message: `The SDL for the new deployment could not be made (${toEffectFailure(event.error).message}); the agent stays on its current lease.`,
                    }),
                  },
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
              target: "publishing",
              actions: "clearPendingRequest",
            },
            "TREASURY.REQUEST_REFUSED": [
              {
                guard: {
                  type: "answersPendingRequest",
                  params: ({ event }) => ({ requestId: event.requestId }),
                },
                target: "#lease.recovery",
                actions: [
                  "clearPendingRequest",
                  { type: "noteRecovery", params: { reason: "attempt_failed" } },
                  "exhaustAttempts",
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
            ],
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
                onDone: { target: "#lease.requesting_bids.collecting", actions: "clearRetries" },
                onError: [
                  retryAfterBackoff,
                  {
                    guard: "hasPrevious",
                    target: "#lease.recovery.abandoning",
                    actions: recordFailureAt("requesting_bids"),
                  },
                  {
                    target: "#lease.failed",
                    actions: recordFailureAt("requesting_bids"),
                  },
                ],
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
                      { type: "noteRecovery", params: { reason: "attempt_failed" } },
                      "exhaustAttempts",
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
                    actions: [
                      recordFailureAt("collecting"),
                      { type: "noteRecovery", params: { reason: "attempt_failed" } },
                    ],
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
              { type: "noteRecovery", params: { reason: "attempt_failed" } },
              "exhaustAttempts",
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
            actions: [
              recordFailureAt("evaluating_bids"),
              { type: "noteRecovery", params: { reason: "attempt_failed" } },
            ],
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
                actions: [recordFailureAt("accepting_bid"), "failAttempt"],
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
            onError: failAttemptOnError("creating_lease"),
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
            }),
            onDone: { target: "#lease.starting", actions: "clearRetries" },
            onError: failAttemptOnError("deploying"),
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
            onError: failAttemptOnError("starting"),
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
              actions: ["countTopUp", { type: "noteToppedUp", params: ({ event }) => ({ at: event.at }) }],
            },
            "TREASURY.REQUEST_REFUSED": {
              guard: {
                type: "answersPendingRequest",
                params: ({ event }) => ({ requestId: event.requestId }),
              },
              target: "monitoring",
              actions: [
                "countTopUp",
                {
                  type: "alert",
                  params: ({ event }) => ({
                    severity: "high" as const,
                    title: "Escrow top-up refused",
                    message: `The treasury refused the escrow top-up: ${event.reason}`,
                  }),
                },
              ],
            },
          },
        },
      },
      on: {
        "LEASE.ESCROW_LOW": {
          guard: { type: "isRunwayReadCurrent", params: ({ event }) => event },
          target: ".renewing",
          actions: { type: "noteRunway", params: ({ event }) => event },
        },
        "HEALTH.RESOURCES_EXHAUSTED": [
          {
            guard: { type: "canScaleUp", params: ({ event }) => event },
            target: "scaling",
            actions: { type: "scaleUp", params: ({ event }) => event },
          },
          {
            actions: {
              type: "notify",
              params: ({ event }) => ({ notice: { type: "LEASE.SCALE_CAPPED", resource: event.resource } }),
            },
          },
        ],
        "HEALTH.PROVIDER_DEGRADED": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: "migrating",
          actions: {
            type: "noteMigration",
            params: ({ event }) => ({ reason: `provider degraded: ${event.reason}` }),
          },
        },
        "HEALTH.PROVIDER_OFFLINE": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: "migrating",
          actions: { type: "noteMigration", params: { reason: "provider offline" } },
        },
        "LEASE.RECLAIMING": {
          guard: { type: "isCurrentProvider", params: ({ event }) => event },
          target: "migrating",
          actions: { type: "noteMigration", params: { reason: "provider reclaiming the lease" } },
        },
        "HEALTH.SERVICES_FAILED": {
          target: "recovery",
          actions: { type: "noteRecovery", params: { reason: "services_failed" } },
        },
        "LEASE.CLOSED": [
          {
            guard: { type: "deploymentStillOpen", params: ({ event }) => event },
            target: "requesting_bids.collecting",
            actions: [
              "releaseClosedLease",
              {
                type: "alert",
                params: ({ event }) => ({
                  severity: "high" as const,
                  title: "Lease closed",
                  message: `The lease was closed (${event.reason}); bidding again on the same deployment.`,
                }),
              },
            ],
          },
          {
            target: "generating_sdl",
            actions: [
              "forgetDeployment",
              { type: "startFlow", params: { purpose: "deploy" } },
              {
                type: "alert",
                params: ({ event }) => ({
                  severity: "critical" as const,
                  title: "Deployment closed",
                  message: `The deployment was closed (${event.reason}); deploying again.`,
                }),
              },
            ],
          },
        ],
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
              {
                target: "#lease.generating_sdl",
                actions: { type: "startFlow", params: { purpose: "migrate" } },
              },
            ],
            onError: {
              target: "#lease.generating_sdl",
              actions: { type: "startFlow", params: { purpose: "migrate" } },
            },
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
                onDone: { target: "#lease.requesting_bids.collecting", actions: "rebidOnSameDeployment" },
                onError: [
                  {
                    guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                    target: "#lease.requesting_bids.collecting",
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
      initial: "working",
      states: {
        working: {
          invoke: {
            src: "closeDeployments",
            input: ({ context }) => ({
              key: `${context.agentId}:drain:${context.previous!.dseq}`,
              dseqs: [context.previous!.dseq],
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
              ],
            },
            onError: [
              {
                guard: { type: "isFatal", params: ({ event }) => ({ error: event.error }) },
                target: "#lease.active",
                actions: "forgetPrevious",
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
        assessing: {
          always: [{ guard: "recoveringServices", target: "restarting" }, { target: "releasing" }],
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
          entry: "countAttempt",
          always: [
            { guard: "attemptsExhausted", target: "give_up" },
            { target: "#lease.requesting_bids.collecting" },
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
                onDone: {
                  target: "#lease.active.monitoring",
                  actions: [
                    "abandonNewDeployment",
                    {
                      type: "alert",
                      params: {
                        severity: "high",
                        title: "Move abandoned",
                        message:
                          "The new deployment could not be made ready; the agent stays on its current lease.",
                      },
                    },
                  ],
                },
                onError: { target: "backing_off", actions: "countRetry" },
              },
            },
            backing_off: backingOff("working"),
          },
        },
        restarting: {
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
                }),
                onDone: "verifying",
                onError: { target: "#lease.migrating" },
              },
            },
            verifying: {
              invoke: {
                src: "awaitServices",
                input: ({ context }) => ({ lease: context.lease!, hostUri: context.lease!.hostUri ?? "" }),
                onDone: { target: "#lease.active.monitoring", actions: "clearRecovery" },
                onError: { target: "#lease.migrating" },
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
