import { assign, enqueueActions, setup } from "xstate";
import { toEffectFailure, waitFor, waitUntil } from "../shared/index.js";
import { healthActorContracts } from "./health.actors.js";
import { type HealthContext, type HealthInput, initialHealthContext } from "./health.context.js";
import { evaluateHealth } from "./health.evaluation.js";
import type { HealthEvent } from "./health.events.js";
import { CHAIN_UNREACHABLE_INCIDENT, partitionPlan, reconnectDelayMs } from "./health.reconnect.js";
import { emptyHealthTrack, type HealthReport, type HealthTarget } from "./health.types.js";

/**
 * Periodic checks of the lease the agent runs on: provider status, lease state on chain, service
 * readiness, resource usage, escrow and wallet runway. Findings become events for the parent with
 * hysteresis (see health.evaluation.ts). A check that cannot be made (the chain unreachable) draws no
 * verdict: the monitor reconnects with the recovery policy's backoff and escalates once past its limit. The next check time is absolute and kept in context, so a
 * restored monitor checks when it was due, not a full interval later.
 */
export const healthMachine = setup({
  types: {
    context: {} as HealthContext,
    events: {} as HealthEvent,
    input: {} as HealthInput,
  },
  actors: { ...healthActorContracts, waitFor, waitUntil },
  guards: {
    watchesAlready: ({ context }, params: { target: HealthTarget }) =>
      context.target !== null &&
      context.target.dseq === params.target.dseq &&
      context.target.gseq === params.target.gseq &&
      context.target.oseq === params.target.oseq &&
      context.target.provider === params.target.provider,
    isWatching: ({ context }) => context.target !== null,
  },
  actions: {
    watch: assign((_, params: { target: HealthContext["target"] }) => ({
      target: params.target,
      track: emptyHealthTrack,
      nextCheckAt: null,
    })),
    unwatch: assign({ target: null, track: emptyHealthTrack, nextCheckAt: null }),
    /** The counts stay (the next check continues them); every condition may be reported once more. */
    forgetReports: assign(({ context }) => ({
      track: { ...context.track, reported: emptyHealthTrack.reported },
    })),
    judge: enqueueActions(({ context, enqueue, self }, params: { report: HealthReport }) => {
      const target = context.target!;
      const verdict = evaluateHealth(context.track, params.report, target, context.settings);
      enqueue.assign({
        track: verdict.track,
        lastReport: params.report,
        nextCheckAt: params.report.at + context.settings.intervalMs,
        checks: context.checks + 1,
        lastError: null,
        failedChecks: 0,
        partitionAlerted: false,
      });
      if (!self._parent) return;
      if (context.partitionAlerted) {
        enqueue.sendParent({
          type: "ALERT.RAISED",
          source: "health",
          severity: "low",
          title: "Chain reachable again",
          incident: CHAIN_UNREACHABLE_INCIDENT,
          resolves: true,
          message: `Health checks read the chain again after ${context.failedChecks ?? 0} failed checks.`,
        });
      }
      for (const notice of verdict.notices) enqueue.sendParent(notice);
    }),
    /** A check that could not be made: count it, and escalate once when the policy says so. */
    recordError: enqueueActions(({ context, enqueue, self }, params: { error: unknown }) => {
      const failed = { ...context, failedChecks: (context.failedChecks ?? 0) + 1 };
      enqueue.assign({ lastError: toEffectFailure(params.error), failedChecks: failed.failedChecks });
      const plan = partitionPlan(failed);
      if (plan.action.kind !== "escalate" || context.partitionAlerted) return;
      enqueue.assign({ partitionAlerted: true });
      if (!self._parent) return;
      enqueue.sendParent({
        type: "ALERT.RAISED",
        source: "health",
        severity: plan.severity,
        title: "Chain unreachable",
        incident: CHAIN_UNREACHABLE_INCIDENT,
        message: `${plan.reason} (last error: ${toEffectFailure(params.error).message}).`,
      });
    }),
  },
}).createMachine({
  id: "health",
  context: ({ input }) => initialHealthContext(input),
  initial: "idle",
  on: {
    "HEALTH.WATCH": [
      // The same lease again (e.g. after an abandoned move): keep counting, so nothing already
      // reported is reported anew.
      { guard: { type: "watchesAlready", params: ({ event }) => ({ target: event.target }) } },
      {
        target: ".checking",
        reenter: true,
        actions: { type: "watch", params: ({ event }) => ({ target: event.target }) },
      },
    ],
    "HEALTH.UNWATCH": { target: ".idle", actions: "unwatch" },
    "HEALTH.REASSESS": { guard: "isWatching", target: ".checking", reenter: true, actions: "forgetReports" },
  },
  states: {
    idle: {},
    checking: {
      invoke: {
        src: "checkHealth",
        input: ({ context }) => ({ target: context.target! }),
        onDone: {
          target: "waiting",
          actions: { type: "judge", params: ({ event }) => ({ report: event.output }) },
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
        input: ({ context }) => ({ until: context.nextCheckAt! }),
        onDone: "checking",
      },
      on: { "HEALTH.CHECK_NOW": "checking" },
    },
    /** Reconnecting as the recovery policy plans it (backoff from the first failed check). */
    retrying: {
      invoke: {
        src: "waitFor",
        input: ({ context }) => ({ ms: reconnectDelayMs(context) }),
        onDone: "checking",
      },
      on: { "HEALTH.CHECK_NOW": "checking" },
    },
  },
});

export type HealthMachine = typeof healthMachine;
