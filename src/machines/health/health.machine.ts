import { assign, enqueueActions, setup } from "xstate";
import { toEffectFailure, waitFor, waitUntil } from "../shared/index.js";
import { healthActorContracts } from "./health.actors.js";
import { type HealthContext, type HealthInput, initialHealthContext } from "./health.context.js";
import { evaluateHealth } from "./health.evaluation.js";
import type { HealthEvent } from "./health.events.js";
import { emptyHealthTrack, type HealthReport, type HealthTarget } from "./health.types.js";

/**
 * Periodic checks of the lease the agent runs on: provider status, lease state on chain, service
 * readiness, resource usage, escrow and wallet runway. Findings become events for the parent with
 * hysteresis (see health.evaluation.ts). The next check time is absolute and kept in context, so a
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
  },
  actions: {
    watch: assign((_, params: { target: HealthContext["target"] }) => ({
      target: params.target,
      track: emptyHealthTrack,
      nextCheckAt: null,
    })),
    unwatch: assign({ target: null, track: emptyHealthTrack, nextCheckAt: null }),
    judge: enqueueActions(({ context, enqueue, self }, params: { report: HealthReport }) => {
      const target = context.target!;
      const verdict = evaluateHealth(context.track, params.report, target, context.settings);
      enqueue.assign({
        track: verdict.track,
        lastReport: params.report,
        nextCheckAt: params.report.at + context.settings.intervalMs,
        checks: context.checks + 1,
        lastError: null,
      });
      if (!self._parent) return;
      for (const notice of verdict.notices) enqueue.sendParent(notice);
    }),
    recordError: assign((_, params: { error: unknown }) => ({ lastError: toEffectFailure(params.error) })),
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
    retrying: {
      invoke: {
        src: "waitFor",
        input: ({ context }) => ({ ms: context.settings.intervalMs }),
        onDone: "checking",
      },
      on: { "HEALTH.CHECK_NOW": "checking" },
    },
  },
});

export type HealthMachine = typeof healthMachine;
