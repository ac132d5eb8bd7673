import { assign, enqueueActions, sendTo, setup } from "xstate";
import { leaseMachine } from "../lease/lease.machine.js";
import type { LeaseRef } from "../lease/lease.types.js";
import { toEffectFailure, waitFor, waitUntil } from "../shared/index.js";
import { reproductionActorContracts } from "./reproduction.actors.js";
import {
  initialReproductionContext,
  type ReproductionContext,
  type ReproductionInput,
} from "./reproduction.context.js";
import type { ReproductionEvent, ReproductionNotice } from "./reproduction.events.js";
import type { ChildIdentity, ChildPlan } from "./reproduction.types.js";

export const CHILD_LEASE_ID = "child-lease";

/**
 * Spawning funded children, in two parallel regions:
 * - cycle: evaluate the decision on a schedule (hourly by default) → check the quota → create the
 *   child's identity → ask the treasury for the child's allocation → deploy the child with its own
 *   lease actor (a lease machine owned by the child's address) → register → activate → wait again;
 * - watch: check the children's heartbeats and alert once when one falls silent.
 * A child reproduces only if the parent allowed it (`childrenMayReproduce`).
 */
export const reproductionMachine = setup({
  types: {
    context: {} as ReproductionContext,
    events: {} as ReproductionEvent,
    input: {} as ReproductionInput,
  },
  actors: { ...reproductionActorContracts, childLease: leaseMachine, waitFor, waitUntil },
  guards: {
    mayReproduce: ({ context }) =>
      context.settings.enabled && (!context.settings.isChild || context.settings.childrenMayReproduce),
    withinQuota: ({ context }) => context.children.length < context.settings.maxChildren,
    hasDecision: (_, params: { decision: ChildPlan | null }) => params.decision !== null,
    answersPendingRequest: ({ context }, params: { requestId: string }) =>
      context.pendingRequestId === params.requestId,
    hasChildren: ({ context }) => context.children.length > 0,
  },
  actions: {
    notify: enqueueActions(({ enqueue, self }, params: { notice: ReproductionNotice }) => {
      if (self._parent) enqueue.sendParent(params.notice);
    }),
    scheduleNext: assign(({ context }, params: { at: number; reason: string }) => ({
      nextEvaluationAt: params.at + context.settings.evaluateEveryMs,
      lastReason: params.reason,
      decision: null,
      child: null,
      childLease: null,
      pendingRequestId: null,
    })),
    storeDecision: assign((_, params: { decision: ChildPlan | null }) => ({
      decision: params.decision,
    })),
    beginChild: assign(({ context }) => ({ generation: context.generation + 1 })),
    storeChild: assign((_, params: { child: ChildIdentity }) => ({ child: params.child })),
    requestAllocation: enqueueActions(({ context, enqueue, self }) => {
      const child = context.child;
      const decision = context.decision;
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
    storeChildLease: assign((_, params: { lease: LeaseRef }) => ({ childLease: params.lease })),
    adoptChild: assign(({ context }, params: { at: number }) => {
      const child = context.child!;
      const lease = context.childLease;
      return {
        children: [
          ...context.children.filter((known) => known.childId !== child.childId),
          {
            ...child,
            role: context.decision?.childConfig.role ?? "replica",
            region: context.decision?.childConfig.region ?? null,
            dseq: lease?.dseq ?? null,
            provider: lease?.provider ?? null,
            activatedAt: params.at,
            lastHeartbeatAt: params.at,
            silent: false,
          },
        ],
      };
    }),
    noteHeartbeat: assign(({ context }, params: { childId: string; at: number }) => ({
      children: context.children.map((child) =>
        child.childId === params.childId
          ? { ...child, lastHeartbeatAt: Math.max(child.lastHeartbeatAt ?? 0, params.at), silent: false }
          : child,
      ),
    })),
    judgeHeartbeats: enqueueActions(
      ({ context, enqueue, self }, params: { at: number; silent: string[] }) => {
        const newlySilent = context.children.filter(
          (child) => params.silent.includes(child.childId) && !child.silent,
        );
        enqueue.assign({
          nextHeartbeatCheckAt: params.at + context.settings.heartbeatCheckMs,
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
            message: `Child ${child.childId} (${child.akash}) has sent no heartbeat in time.`,
          });
        }
      },
    ),
    recordError: assign((_, params: { error: unknown }) => ({ lastError: toEffectFailure(params.error) })),
    alert: enqueueActions(
      (
        { enqueue, self },
        params: { severity: "low" | "medium" | "high" | "critical"; title: string; message: string },
      ) => {
        if (self._parent) enqueue.sendParent({ type: "ALERT.RAISED", source: "reproduction", ...params });
      },
    ),
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
      states: {
        checking_permission: {
          always: [{ guard: "mayReproduce", target: "evaluating" }, { target: "disabled" }],
        },
        disabled: {},
        waiting: {
          invoke: {
            src: "waitUntil",
            input: ({ context }) => ({ until: context.nextEvaluationAt ?? 0 }),
            onDone: "evaluating",
          },
          on: { "REPRODUCTION.EVALUATE_NOW": "evaluating" },
        },
        backing_off: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.evaluateEveryMs }),
            onDone: "evaluating",
          },
        },
        evaluating: {
          invoke: {
            src: "evaluateReproduction",
            input: ({ context }) => ({
              key: `${context.agentId}:reproduction:${context.generation}`,
              children: context.children,
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
              { target: "waiting", actions: { type: "scheduleNext", params: ({ event }) => event.output } },
            ],
            onError: {
              target: "backing_off",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        checking_quota: {
          always: [
            { guard: "withinQuota", target: "creating_identity", actions: "beginChild" },
            {
              target: "backing_off",
              actions: assign({ lastReason: "the quota of children is full", decision: null }),
            },
          ],
        },
        creating_identity: {
          invoke: {
            src: "createChildIdentity",
            input: ({ context }) => ({ key: `${context.agentId}:child:${context.generation}` }),
            onDone: {
              target: "allocating_funds",
              actions: { type: "storeChild", params: ({ event }) => ({ child: event.output }) },
            },
            onError: {
              target: "backing_off",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
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
              actions: assign({ pendingRequestId: null }),
            },
            "TREASURY.REQUEST_REFUSED": {
              guard: { type: "answersPendingRequest", params: ({ event }) => event },
              target: "backing_off",
              actions: [
                assign({ pendingRequestId: null, child: null, decision: null }),
                assign(({ event }) => ({ lastReason: `allocation refused: ${event.reason}` })),
              ],
            },
          },
        },
        deploying_child: {
          invoke: {
            src: "childLease",
            id: CHILD_LEASE_ID,
            systemId: CHILD_LEASE_ID,
            input: ({ context }) => ({
              agentId: context.child!.childId,
              resources: context.decision!.childConfig.resources,
              settings: context.settings.childLease,
              systemId: CHILD_LEASE_ID,
            }),
          },
          entry: sendTo(CHILD_LEASE_ID, { type: "LEASE.DEPLOY" }),
          on: {
            "TREASURY.FUNDS_REQUESTED": {
              actions: sendTo(CHILD_LEASE_ID, ({ event }) => ({
                type: "TREASURY.REQUEST_GRANTED" as const,
                requestId: event.requestId,
              })),
            },
            "LEASE.ACTIVE": {
              target: "registering",
              actions: { type: "storeChildLease", params: ({ event }) => ({ lease: event.lease }) },
            },
            "LEASE.FAILED": {
              target: "backing_off",
              actions: [
                assign(({ event }) => ({ lastReason: `child deployment failed: ${event.reason}` })),
                {
                  type: "alert",
                  params: ({ event }) => ({
                    severity: "high" as const,
                    title: "Child deployment failed",
                    message: `The child could not be deployed: ${event.reason}`,
                  }),
                },
              ],
            },
            "ALERT.RAISED": {
              actions: enqueueActions(({ enqueue, event, self }) => {
                if (self._parent) enqueue.sendParent({ ...event, source: `child-lease/${event.source}` });
              }),
            },
          },
        },
        registering: {
          invoke: {
            src: "registerChild",
            input: ({ context }) => ({
              key: `${context.agentId}:register:${context.child!.childId}`,
              child: context.child!,
              lease: context.childLease!,
            }),
            onDone: "activating",
            onError: {
              target: "registering",
              reenter: true,
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        activating: {
          invoke: {
            src: "activateChild",
            input: ({ context }) => ({
              key: `${context.agentId}:activate:${context.child!.childId}`,
              child: context.child!,
              lease: context.childLease!,
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
                      dseq: context.childLease!.dseq,
                    },
                  }),
                },
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
              target: "backing_off",
              actions: [
                { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                {
                  type: "alert",
                  params: ({ event }) => ({
                    severity: "high" as const,
                    title: "Child activation failed",
                    message: toEffectFailure(event.error).message,
                  }),
                },
              ],
            },
          },
        },
      },
    },

    watch: {
      initial: "idle",
      states: {
        idle: {
          always: { guard: "hasChildren", target: "checking" },
        },
        checking: {
          invoke: {
            src: "checkHeartbeats",
            input: ({ context }) => ({ children: context.children }),
            onDone: {
              target: "waiting",
              actions: { type: "judgeHeartbeats", params: ({ event }) => event.output },
            },
            onError: {
              target: "retrying",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
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
  },
});

export type ReproductionMachine = typeof reproductionMachine;
