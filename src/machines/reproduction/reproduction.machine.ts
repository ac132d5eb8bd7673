import { assign, enqueueActions, raise, setup } from "xstate";
import { type AlertSeverity, toEffectFailure, waitFor, waitUntil } from "../shared/index.js";
import { reproductionActorContracts } from "./reproduction.actors.js";
import {
  initialReproductionContext,
  type ReproductionContext,
  type ReproductionInput,
  type SpawnRequest,
} from "./reproduction.context.js";
import type { ReproductionEvent, ReproductionNotice } from "./reproduction.events.js";
import type {
  ChildIdentity,
  ChildLocation,
  ChildPlan,
  ChildRecord,
  FamilyRequestState,
} from "./reproduction.types.js";

/** How many operator requests' outcomes the context keeps for the admin API to read. */
const REQUESTS_KEPT = 20;

type InternalEvent = { type: "FAMILY.CHANGED" };

function withRequest(
  requests: Record<string, FamilyRequestState>,
  requestId: string,
  state: FamilyRequestState,
): Record<string, FamilyRequestState> {
  const entries = Object.entries(requests).filter(([id]) => id !== requestId);
  entries.push([requestId, state]);
  return Object.fromEntries(entries.slice(-REQUESTS_KEPT));
}

const familyRegions = (children: ChildRecord[]) =>
  children.map((child) => child.region).filter((region): region is string => region !== null);
const familyProviders = (children: ChildRecord[]) =>
  children.map((child) => child.provider).filter((provider): provider is string => provider !== null);

/**
 * The family (DESIGN §13), in four parallel regions:
 * - cycle: on a schedule or an operator's spawn request, evaluate (triggers, then gates) → check the
 *   quota → the child's identity (derived from ours at the next index) → its budget from the treasury
 *   (grants capped on chain) → deploy it from its own account and activate it (it then leads itself)
 *   → register it. A birth that fails is tried again up to `maxBirthAttempts`, then the child is retired.
 * - watch: look at the children's heartbeats; alert once when one falls silent, and resurrect a silent
 *   child whose lease is gone (once per silence window).
 * - listening: the children's heartbeats from Nostr, re-subscribed whenever the family changes.
 * - retirement: retire children one at a time on the operator's request.
 * A child reproduces only if its parent allowed it (`childrenMayReproduce`).
 */
export const reproductionMachine = setup({
  types: {
    context: {} as ReproductionContext,
    events: {} as ReproductionEvent | InternalEvent,
    input: {} as ReproductionInput,
  },
  actors: { ...reproductionActorContracts, waitFor, waitUntil },
  guards: {
    mayReproduce: ({ context }) =>
      context.settings.enabled && (!context.settings.isChild || context.settings.childrenMayReproduce),
    withinQuota: ({ context }) => context.children.length < context.settings.maxChildren,
    hasDecision: (_, params: { decision: ChildPlan | null }) => params.decision !== null,
    answersPendingRequest: ({ context }, params: { requestId: string }) =>
      context.pendingRequestId === params.requestId,
    hasChildren: ({ context }) => context.children.length > 0,
    mayTryBirthAgain: ({ context }) => context.birthAttempts < context.settings.maxBirthAttempts,
    isRetirable: ({ context }, params: { childId: string }) =>
      context.children.some((child) => child.childId === params.childId) &&
      context.resurrecting !== params.childId &&
      context.retiring?.childId !== params.childId &&
      !context.retireQueue.some((entry) => entry.childId === params.childId),
    notResurrecting: ({ context }) => context.resurrecting === null,
    hasRetirementQueued: ({ context }) => context.retireQueue.length > 0,
    resurrectionDue: ({ context }) => resurrectionCandidate(context) !== null,
    renewalDue: ({ context }) => renewalCandidate(context) !== null,
  },
  actions: {
    notify: enqueueActions(({ enqueue, self }, params: { notice: ReproductionNotice }) => {
      if (self._parent) enqueue.sendParent(params.notice);
    }),
    alert: enqueueActions(
      ({ enqueue, self }, params: { severity: AlertSeverity; title: string; message: string }) => {
        if (self._parent) enqueue.sendParent({ type: "ALERT.RAISED", source: "reproduction", ...params });
      },
    ),
    recordError: assign((_, params: { error: unknown }) => ({ lastError: toEffectFailure(params.error) })),
    scheduleNext: assign(({ context }, params: { at: number; reason: string }) => ({
      nextEvaluationAt: params.at + context.settings.evaluateEveryMs,
      lastReason: params.reason,
      decision: null,
      request: null,
      child: null,
      birth: null,
      birthAttempts: 0,
      pendingRequestId: null,
    })),
    takeRequest: assign((_, params: SpawnRequest) => ({
      request: params,
    })),
    /** The operator's request (if one is being served) ends with `state`. */
    settleRequest: assign(({ context }, params: { state: FamilyRequestState }) =>
      context.request
        ? {
            requests: withRequest(context.requests, context.request.requestId, params.state),
            request: null,
          }
        : {},
    ),
    refuseSpawn: assign(({ context }, params: { requestId: string; reason: string }) => ({
      requests: withRequest(context.requests, params.requestId, { state: "refused", reason: params.reason }),
    })),
    storeDecision: assign((_, params: { decision: ChildPlan | null }) => ({ decision: params.decision })),
    beginChild: assign(({ context }) => ({ generation: context.generation + 1, birthAttempts: 0 })),
    storeChild: assign(({ context }, params: { child: ChildIdentity }) => ({
      child: params.child,
      requests: context.request
        ? withRequest(context.requests, context.request.requestId, {
            state: "accepted",
            childId: params.child.childId,
          })
        : context.requests,
    })),
    requestAllocation: enqueueActions(({ context, enqueue, self }) => {
      const { child, decision } = context;
      if (!child || !decision) return;
      const requestId = `${context.agentId}:child-funding:${child.childId}`;
      enqueue.assign({ pendingRequestId: requestId });
      if (self._parent) {
        enqueue.sendParent({
          type: "TREASURY.FUNDS_REQUESTED",
          requestId,
          purpose: "child_funding",
          childAddress: child.akash,
          amountUact: decision.childConfig.fundingUact,
          replyTo: "reproduction",
        });
      }
    }),
    /** Funded: the index is this child's for good. */
    takeIndex: assign(({ context }) => ({
      pendingRequestId: null,
      nextChildIndex: Math.max(context.nextChildIndex, (context.child?.index ?? -1) + 1),
    })),
    countBirthAttempt: assign(({ context }) => ({ birthAttempts: context.birthAttempts + 1 })),
    storeBirth: assign((_, params: { location: ChildLocation }) => ({ birth: params.location })),
    adoptChild: assign(({ context }, params: { at: number }) => {
      const child = context.child!;
      const birth = context.birth;
      const adopted: ChildRecord = {
        ...child,
        role: context.decision?.childConfig.role ?? "replica",
        region: context.decision?.childConfig.region ?? null,
        dseq: birth?.dseq ?? null,
        provider: birth?.provider ?? null,
        generation: birth?.generation ?? 1,
        activatedAt: params.at,
        lastHeartbeatAt: params.at,
        silent: false,
        lastResurrectionAt: null,
        resurrections: 0,
      };
      return {
        children: [...context.children.filter((known) => known.childId !== child.childId), adopted],
      };
    }),
    familyChanged: raise({ type: "FAMILY.CHANGED" }),
    noteHeartbeat: assign(({ context }, params: { childId: string; at: number; generation?: number }) => ({
      children: context.children.map((child) =>
        child.childId === params.childId
          ? {
              ...child,
              lastHeartbeatAt: Math.max(child.lastHeartbeatAt ?? 0, params.at),
              generation: Math.max(child.generation, params.generation ?? 0),
              silent: false,
            }
          : child,
      ),
    })),
    judgeHeartbeats: enqueueActions(
      ({ context, enqueue, self }, params: { at: number; silent: string[]; grantsExpiring?: string[] }) => {
        const newlySilent = context.children.filter(
          (child) => params.silent.includes(child.childId) && !child.silent,
        );
        enqueue.assign({
          lastHeartbeatCheckAt: params.at,
          nextHeartbeatCheckAt: params.at + context.settings.heartbeatCheckMs,
          grantsToRenew: params.grantsExpiring ?? [],
          children: context.children.map((child) =>
            params.silent.includes(child.childId) ? { ...child, silent: true } : child,
          ),
        });
        if (!self._parent) return;
        for (const child of newlySilent) {
          enqueue.sendParent({ type: "CHILD.SILENT", childId: child.childId });
          enqueue.sendParent({
            type: "ALERT.RAISED",
            source: "reproduction",
            severity: "high",
            title: "Child agent silent",
            message: `Child ${child.childId} (${child.akash}) has sent no heartbeat for ${Math.round(
              context.settings.silenceThresholdMs / 1000,
            )} s: resurrecting it if its lease is gone.`,
          });
        }
      },
    ),
    beginRenewal: assign({ renewing: ({ context }) => renewalCandidate(context) }),
    /** Done or failed, the child leaves this check's list (the next check lists it again if still due). */
    renewalDone: assign(({ context }) => ({
      grantsToRenew: (context.grantsToRenew ?? []).filter((childId) => childId !== context.renewing),
      renewing: null,
    })),
    beginResurrection: assign(({ context }) => {
      const childId = resurrectionCandidate(context);
      return {
        resurrecting: childId,
        children: context.children.map((child) =>
          child.childId === childId ? { ...child, lastResurrectionAt: context.lastHeartbeatCheckAt } : child,
        ),
      };
    }),
    adoptResurrection: assign(({ context }, params: ChildLocation & { at: number }) => ({
      resurrecting: null,
      children: context.children.map((child) =>
        child.childId === context.resurrecting
          ? {
              ...child,
              dseq: params.dseq,
              provider: params.provider,
              generation: params.generation,
              lastHeartbeatAt: params.at,
              silent: false,
              resurrections: child.resurrections + 1,
            }
          : child,
      ),
    })),
    queueRetirement: assign(({ context }, params: { requestId: string; childId: string }) => ({
      retireQueue: [...context.retireQueue, params],
      requests: withRequest(context.requests, params.requestId, {
        state: "accepted",
        childId: params.childId,
      }),
    })),
    takeRetirement: assign(({ context }) => ({
      retiring: context.retireQueue[0] ?? null,
      retireQueue: context.retireQueue.slice(1),
    })),
    dropRetired: assign(({ context }) => {
      const retiring = context.retiring!;
      return {
        children: context.children.filter((child) => child.childId !== retiring.childId),
        requests: withRequest(context.requests, retiring.requestId, {
          state: "retired",
          childId: retiring.childId,
        }),
        retiring: null,
      };
    }),
  },
}).createMachine({
  id: "reproduction",
  context: ({ input }) => initialReproductionContext(input),
  type: "parallel",
  on: {
    "CHILD.HEARTBEAT": { actions: { type: "noteHeartbeat", params: ({ event }) => event } },
  },
  states: {
    cycle: {
      initial: "checking_permission",
      on: {
        // A spawn that arrives while a birth is under way waits for no one: it is refused at once.
        "REPRODUCTION.SPAWN": {
          actions: {
            type: "refuseSpawn",
            params: ({ event }) => ({
              requestId: event.requestId,
              reason:
                "the agent is already evaluating or giving birth to a child: ask again once that is over",
            }),
          },
        },
      },
      states: {
        checking_permission: {
          always: [{ guard: "mayReproduce", target: "evaluating" }, { target: "disabled" }],
        },
        disabled: {
          on: {
            "REPRODUCTION.SPAWN": {
              actions: {
                type: "refuseSpawn",
                params: ({ event, context }) => ({
                  requestId: event.requestId,
                  reason: context.settings.enabled
                    ? "this agent is a child and its parent did not allow it to reproduce (reproduction.childrenMayReproduce)"
                    : "reproduction is disabled: set reproduction.enabled to true",
                }),
              },
            },
          },
        },
        waiting: {
          invoke: {
            src: "waitUntil",
            input: ({ context }) => ({ until: context.nextEvaluationAt ?? 0 }),
            onDone: "evaluating",
          },
          on: {
            "REPRODUCTION.EVALUATE_NOW": "evaluating",
            "REPRODUCTION.SPAWN": {
              target: "evaluating",
              actions: { type: "takeRequest", params: ({ event }) => event },
            },
          },
        },
        backing_off: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.evaluateEveryMs }),
            onDone: "evaluating",
          },
          on: {
            "REPRODUCTION.SPAWN": {
              target: "evaluating",
              actions: { type: "takeRequest", params: ({ event }) => event },
            },
          },
        },
        evaluating: {
          invoke: {
            src: "evaluateReproduction",
            input: ({ context }) => ({
              key: `${context.agentId}:reproduction:${context.generation}`,
              children: context.children,
              request: context.request
                ? { role: context.request.role, region: context.request.region }
                : null,
            }),
            onDone: [
              {
                guard: { type: "hasDecision", params: ({ event }) => ({ decision: event.output.decision }) },
                target: "checking_quota",
                actions: {
                  type: "storeDecision",
                  params: ({ event }) => ({ decision: event.output.decision }),
                },
              },
              {
                target: "waiting",
                actions: [
                  {
                    type: "settleRequest",
                    params: ({ event }) => ({
                      state: { state: "refused" as const, reason: event.output.reason },
                    }),
                  },
                  { type: "scheduleNext", params: ({ event }) => event.output },
                ],
              },
            ],
            onError: {
              target: "backing_off",
              actions: [
                { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                {
                  type: "settleRequest",
                  params: ({ event }) => ({
                    state: { state: "refused" as const, reason: toEffectFailure(event.error).message },
                  }),
                },
              ],
            },
          },
        },
        checking_quota: {
          always: [
            { guard: "withinQuota", target: "creating_identity", actions: "beginChild" },
            {
              target: "backing_off",
              actions: [
                {
                  type: "settleRequest",
                  params: ({ context }) => ({
                    state: {
                      state: "refused" as const,
                      reason: `the quota of children is full (${context.children.length} of reproduction.maxChildren ${context.settings.maxChildren})`,
                    },
                  }),
                },
                assign({ lastReason: "the quota of children is full", decision: null }),
              ],
            },
          ],
        },
        creating_identity: {
          invoke: {
            src: "createChildIdentity",
            input: ({ context }) => ({
              key: `${context.agentId}:child:${context.nextChildIndex}`,
              index: context.nextChildIndex,
              role: context.decision!.childConfig.role,
              region: context.decision!.childConfig.region,
            }),
            onDone: {
              target: "allocating_funds",
              actions: { type: "storeChild", params: ({ event }) => ({ child: event.output }) },
            },
            onError: {
              target: "backing_off",
              actions: [
                { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                {
                  type: "settleRequest",
                  params: ({ event }) => ({
                    state: {
                      state: "failed" as const,
                      childId: null,
                      reason: toEffectFailure(event.error).message,
                    },
                  }),
                },
              ],
            },
          },
        },
        allocating_funds: {
          entry: "requestAllocation",
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.requestTimeoutMs }),
            onDone: { target: "allocating_funds", reenter: true },
          },
          on: {
            "TREASURY.REQUEST_GRANTED": {
              guard: { type: "answersPendingRequest", params: ({ event }) => event },
              target: "deploying_child",
              actions: "takeIndex",
            },
            "TREASURY.REQUEST_REFUSED": {
              guard: { type: "answersPendingRequest", params: ({ event }) => event },
              target: "backing_off",
              actions: [
                {
                  type: "settleRequest",
                  params: ({ event }) => ({
                    state: {
                      state: "refused" as const,
                      reason: `the treasury refused the child's budget: ${event.reason}`,
                    },
                  }),
                },
                // The index stays free: the next birth derives the same child again.
                assign(({ event }) => ({
                  pendingRequestId: null,
                  child: null,
                  decision: null,
                  lastReason: `allocation refused: ${event.reason}`,
                })),
              ],
            },
          },
        },
        deploying_child: {
          entry: "countBirthAttempt",
          invoke: {
            src: "deployChild",
            input: ({ context }) => ({
              key: `${context.agentId}:birth:${context.child!.childId}`,
              child: context.child!,
              plan: context.decision!,
              avoidProviders: familyProviders(context.children),
              avoidRegions: familyRegions(context.children),
            }),
            onDone: {
              target: "registering",
              actions: { type: "storeBirth", params: ({ event }) => ({ location: event.output }) },
            },
            onError: [
              {
                guard: "mayTryBirthAgain",
                target: "birth_backing_off",
                actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
              },
              {
                target: "abandoning_birth",
                actions: [
                  { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                  {
                    type: "alert",
                    params: ({ context, event }) => ({
                      severity: "high" as const,
                      title: "Child birth failed",
                      message: `Child ${context.child!.childId} could not be deployed after ${context.birthAttempts} attempt(s): ${toEffectFailure(event.error).message}. Its grants are revoked and its account swept.`,
                    }),
                  },
                ],
              },
            ],
          },
        },
        birth_backing_off: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: Math.min(context.settings.evaluateEveryMs, 60_000) }),
            onDone: "deploying_child",
          },
        },
        abandoning_birth: {
          invoke: {
            src: "retireChild",
            input: ({ context }) => ({
              key: `${context.agentId}:retire:${context.child!.childId}`,
              child: {
                ...context.child!,
                role: context.decision!.childConfig.role,
                region: context.decision!.childConfig.region,
                dseq: null,
                provider: null,
                generation: 0,
                activatedAt: null,
                lastHeartbeatAt: null,
                silent: false,
                lastResurrectionAt: null,
                resurrections: 0,
              },
            }),
            onDone: {
              target: "backing_off",
              actions: [
                {
                  type: "settleRequest",
                  params: ({ context }) => ({
                    state: {
                      state: "failed" as const,
                      childId: context.child!.childId,
                      reason: context.lastError?.message ?? "the child could not be deployed",
                    },
                  }),
                },
                assign({ child: null, decision: null, birth: null, birthAttempts: 0 }),
              ],
            },
            onError: {
              target: "abandoning_birth",
              reenter: true,
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        registering: {
          invoke: {
            src: "registerChild",
            input: ({ context }) => ({
              key: `${context.agentId}:register:${context.child!.childId}`,
              child: context.child!,
              plan: context.decision!,
              location: context.birth!,
            }),
            onDone: {
              target: "waiting",
              actions: [
                { type: "adoptChild", params: ({ event }) => event.output },
                {
                  type: "notify",
                  params: ({ context }) => ({
                    notice: {
                      type: "CHILD.ACTIVATED",
                      childId: context.child!.childId,
                      akash: context.child!.akash,
                      dseq: context.birth!.dseq,
                    },
                  }),
                },
                {
                  type: "alert",
                  params: ({ context }) => ({
                    severity: "low" as const,
                    title: "Child agent born",
                    message: `Child ${context.child!.childId} (${context.child!.akash}) leads itself in deployment ${context.birth!.dseq} on ${context.birth!.provider}.`,
                  }),
                },
                {
                  type: "settleRequest",
                  params: ({ context }) => ({
                    state: { state: "born" as const, childId: context.child!.childId },
                  }),
                },
                "familyChanged",
                {
                  type: "scheduleNext",
                  params: ({ event, context }) => ({
                    at: event.output.at,
                    reason: `child ${context.child!.childId} activated`,
                  }),
                },
              ],
            },
            onError: {
              target: "registering",
              reenter: true,
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
      },
    },

    watch: {
      initial: "idle",
      // A birth or a retirement elsewhere does not interrupt a resurrection under way.
      on: { "FAMILY.CHANGED": { guard: "notResurrecting", target: ".idle" } },
      states: {
        idle: {
          always: { guard: "hasChildren", target: "checking" },
        },
        checking: {
          invoke: {
            src: "checkHeartbeats",
            input: ({ context }) => ({
              children: context.children,
              silenceThresholdMs: context.settings.silenceThresholdMs,
            }),
            onDone: {
              target: "judging",
              actions: { type: "judgeHeartbeats", params: ({ event }) => event.output },
            },
            onError: {
              target: "retrying",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        judging: {
          always: [
            { guard: "resurrectionDue", target: "resurrecting", actions: "beginResurrection" },
            {
              guard: "renewalDue",
              target: "renewing_grants",
              actions: "beginRenewal",
            },
            { target: "waiting" },
          ],
        },
        renewing_grants: {
          invoke: {
            src: "renewChildGrants",
            input: ({ context }) => ({
              key: `${context.agentId}:renew-grants:${context.renewing}:${context.lastHeartbeatCheckAt}`,
              child: context.children.find((known) => known.childId === context.renewing)!,
            }),
            onDone: { target: "judging", actions: "renewalDone" },
            onError: {
              target: "judging",
              actions: [
                { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                {
                  type: "alert",
                  params: ({ context, event }) => ({
                    severity: "high" as const,
                    title: "Child grants not renewed",
                    message: `The grants of child ${context.renewing} expire soon and could not be renewed: ${toEffectFailure(event.error).message}. Trying again at the next heartbeat check.`,
                  }),
                },
                "renewalDone",
              ],
            },
          },
        },
        resurrecting: {
          invoke: {
            src: "resurrectChild",
            input: ({ context }) => {
              const child = context.children.find((known) => known.childId === context.resurrecting)!;
              return {
                key: `${context.agentId}:resurrect:${child.childId}:${child.resurrections + 1}`,
                child,
              };
            },
            onDone: [
              {
                guard: ({ event }) => event.output.outcome === "resurrected",
                target: "waiting",
                actions: enqueueActions(({ context, enqueue, event }) => {
                  const output = event.output;
                  if (output.outcome !== "resurrected") return;
                  const childId = context.resurrecting!;
                  enqueue({ type: "adoptResurrection", params: output });
                  enqueue({
                    type: "notify",
                    params: {
                      notice: {
                        type: "CHILD.RESURRECTED",
                        childId,
                        dseq: output.dseq,
                        provider: output.provider,
                      },
                    },
                  });
                  enqueue({
                    type: "alert",
                    params: {
                      severity: "medium",
                      title: "Child agent resurrected",
                      message: `Child ${childId} was silent and its lease gone: it leads itself again in deployment ${output.dseq} on ${output.provider} (generation ${output.generation}).`,
                    },
                  });
                  enqueue("familyChanged");
                }),
              },
              { target: "waiting", actions: assign({ resurrecting: null }) },
            ],
            onError: {
              target: "waiting",
              actions: [
                { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                {
                  type: "alert",
                  params: ({ context, event }) => ({
                    severity: "critical" as const,
                    title: "Child resurrection failed",
                    message: `Child ${context.resurrecting} is silent and could not be resurrected: ${toEffectFailure(event.error).message}. Trying again after the next silence window.`,
                  }),
                },
                assign({ resurrecting: null }),
              ],
            },
          },
        },
        waiting: {
          invoke: {
            src: "waitUntil",
            input: ({ context }) => ({ until: context.nextHeartbeatCheckAt ?? 0 }),
            onDone: "checking",
          },
        },
        retrying: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.heartbeatCheckMs }),
            onDone: "checking",
          },
        },
      },
    },

    listening: {
      initial: "choosing",
      on: { "FAMILY.CHANGED": ".choosing" },
      states: {
        choosing: {
          always: [{ guard: "hasChildren", target: "subscribed" }, { target: "alone" }],
        },
        alone: {},
        subscribed: {
          invoke: {
            src: "watchFamilyHeartbeats",
            id: "family-heartbeats",
            input: ({ context }) => ({
              relays: context.settings.heartbeatRelays,
              children: context.children.map((child) => ({ childId: child.childId, npub: child.npub })),
            }),
          },
        },
      },
    },

    retirement: {
      initial: "idle",
      on: {
        "REPRODUCTION.RETIRE": [
          {
            guard: { type: "isRetirable", params: ({ event }) => event },
            actions: { type: "queueRetirement", params: ({ event }) => event },
          },
          {
            actions: {
              type: "refuseSpawn",
              params: ({ event, context }) => ({
                requestId: event.requestId,
                reason:
                  context.resurrecting === event.childId
                    ? `child ${event.childId} is being resurrected: retire it once that is over`
                    : context.children.some((child) => child.childId === event.childId)
                      ? `child ${event.childId} is being retired already`
                      : `no active child ${event.childId} (see \`akash-agent family\`)`,
              }),
            },
          },
        ],
      },
      states: {
        idle: {
          always: { guard: "hasRetirementQueued", target: "retiring", actions: "takeRetirement" },
        },
        retiring: {
          invoke: {
            src: "retireChild",
            input: ({ context }) => ({
              key: `${context.agentId}:retire:${context.retiring!.childId}`,
              child: context.children.find((child) => child.childId === context.retiring!.childId)!,
            }),
            onDone: {
              target: "idle",
              actions: [
                {
                  type: "notify",
                  params: ({ context }) => ({
                    notice: { type: "CHILD.RETIRED", childId: context.retiring!.childId },
                  }),
                },
                "dropRetired",
                "familyChanged",
              ],
            },
            onError: {
              target: "backing_off",
              actions: [
                { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                {
                  type: "alert",
                  params: ({ context, event }) => ({
                    severity: "high" as const,
                    title: "Child retirement failed",
                    message: `Retiring child ${context.retiring!.childId} failed: ${toEffectFailure(event.error).message}. Trying again.`,
                  }),
                },
              ],
            },
          },
        },
        backing_off: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.heartbeatCheckMs }),
            onDone: "retiring",
          },
        },
      },
    },
  },
});

/**
 * The first silent child, not being retired, not tried within the last silence window (a child whose
 * lease is still there, or whose resurrection failed, is tried again one window later).
 */
/** The first child of the last check's list still in the family (none while a resurrection runs). */
function renewalCandidate(context: ReproductionContext): string | null {
  if (context.resurrecting !== null) return null;
  const known = new Set(context.children.map((child) => child.childId));
  return (context.grantsToRenew ?? []).find((childId) => known.has(childId)) ?? null;
}

function resurrectionCandidate(context: ReproductionContext): string | null {
  const at = context.lastHeartbeatCheckAt;
  if (at === null) return null;
  const retiring = new Set([
    ...(context.retiring ? [context.retiring.childId] : []),
    ...context.retireQueue.map((entry) => entry.childId),
  ]);
  const candidate = context.children.find(
    (child) =>
      child.silent &&
      !retiring.has(child.childId) &&
      (child.lastResurrectionAt === null ||
        at - child.lastResurrectionAt >= context.settings.silenceThresholdMs),
  );
  return candidate?.childId ?? null;
}

export type ReproductionMachine = typeof reproductionMachine;
