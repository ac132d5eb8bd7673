import { assign, enqueueActions, setup } from "xstate";
import { toEffectFailure, waitUntil } from "../shared/index.js";
import { type ResurrectSiblingOutput, siblingWatchActorContracts } from "./sibling-watch.actors.js";
import {
  initialSiblingWatchContext,
  type SiblingWatchContext,
  type SiblingWatchInput,
} from "./sibling-watch.context.js";
import type { SiblingRosterEvent, SiblingWatchEvent } from "./sibling-watch.events.js";
import { familyProviders, membersDiffer, siblingToResurrect } from "./sibling-watch.policy.js";

const watchedMembers = (context: SiblingWatchContext) =>
  context.roster
    ? [
        { childId: context.roster.parent.agentId, npub: context.roster.parent.npub },
        ...context.roster.members
          .filter((member) => member.childId !== context.agentId)
          .map((member) => ({ childId: member.childId, npub: member.npub })),
      ]
    : [];

/**
 * A child's watch over its siblings (DESIGN §13, life: "exactly one member acts: the parent; if the
 * parent is gone, the eldest live sibling"), in three parallel regions:
 * - roster: the parent's latest roster for this agent (public part: members, their indices and places);
 * - listening: the heartbeats of the parent and the siblings, re-subscribed when the roster's members change;
 * - watch: on each check, when the parent is silent past the threshold, this agent is the eldest live
 *   member and a sibling is silent, resurrect that sibling (one at a time, once per silence window).
 * The parent's own resurrection wins while it lives: a sibling never acts while the parent beats.
 */
export const siblingWatchMachine = setup({
  types: {
    context: {} as SiblingWatchContext,
    events: {} as SiblingWatchEvent,
    input: {} as SiblingWatchInput,
  },
  actors: { ...siblingWatchActorContracts, waitUntil },
  guards: {
    hasRoster: ({ context }) => context.roster !== null,
    newerRoster: ({ context }, params: SiblingRosterEvent) =>
      params.createdAtSeconds > context.rosterCreatedAt,
    rosterChangesMembers: ({ context }, params: SiblingRosterEvent) =>
      params.createdAtSeconds > context.rosterCreatedAt && membersDiffer(context.roster, params.roster),
    resurrectionDue: ({ context }) => siblingToResurrect(context) !== null,
  },
  actions: {
    takeRoster: assign((_, params: SiblingRosterEvent) => ({
      roster: params.roster,
      rosterCreatedAt: params.createdAtSeconds,
    })),
    noteHeartbeat: assign(({ context }, params: { childId: string; at: number }) => ({
      lastSeen: {
        ...context.lastSeen,
        [params.childId]: Math.max(context.lastSeen[params.childId] ?? 0, params.at),
      },
    })),
    noteCheck: assign(({ context }, params: { at: number; watchingSince: number }) => ({
      lastCheckAt: params.at,
      nextCheckAt: params.at + context.settings.heartbeatCheckMs,
      watchingSince: params.watchingSince,
    })),
    beginResurrection: enqueueActions(({ context, enqueue, self }) => {
      const due = siblingToResurrect(context);
      if (!due) return;
      enqueue.assign({
        resurrecting: due,
        attempts: {
          ...context.attempts,
          [due.childId]: { window: due.window, count: (context.attempts[due.childId]?.count ?? 0) + 1 },
        },
      });
      if (!self._parent) return;
      enqueue.sendParent({
        type: "ALERT.RAISED",
        source: "siblingWatch",
        severity: "high",
        title: "Resurrecting a sibling: the parent is gone",
        message: `The parent ${context.roster?.parent.agentId} and sibling ${due.childId} have sent no heartbeat for ${Math.round(
          context.settings.silenceThresholdMs / 1000,
        )} s: ${context.agentId}, the eldest live sibling, resurrects ${due.childId} from its latest backup (data dir resurrection-${due.attempt}).`,
        incident: `sibling-resurrection:${due.childId}:${due.window}`,
      });
    }),
    adoptOutcome: assign(({ context }, params: { output: ResurrectSiblingOutput }) => {
      const childId = context.resurrecting?.childId ?? "";
      const { output } = params;
      if (output.outcome === "alive") {
        return { resurrecting: null, lastOutcome: `${childId} alive: ${output.reason}` };
      }
      return {
        resurrecting: null,
        lastSeen: { ...context.lastSeen, [childId]: Math.max(context.lastSeen[childId] ?? 0, output.at) },
        resurrected: { ...context.resurrected, [childId]: (context.resurrected[childId] ?? 0) + 1 },
        lastOutcome: `${childId} resurrected in deployment ${output.dseq} on ${output.provider}`,
        roster: context.roster && {
          ...context.roster,
          members: context.roster.members.map((member) =>
            member.childId === childId ? { ...member, dseq: output.dseq, provider: output.provider } : member,
          ),
        },
      };
    }),
    recordFailure: assign(({ context }, params: { error: unknown }) => ({
      resurrecting: null,
      lastError: toEffectFailure(params.error),
      lastOutcome: `${context.resurrecting?.childId} not resurrected: ${toEffectFailure(params.error).message}`,
    })),
    alertFailure: enqueueActions(({ context, enqueue, self }, params: { error: unknown }) => {
      if (!self._parent || !context.resurrecting) return;
      enqueue.sendParent({
        type: "ALERT.RAISED",
        source: "siblingWatch",
        severity: "critical",
        title: "Sibling resurrection failed",
        message: `Sibling ${context.resurrecting.childId} could not be resurrected: ${toEffectFailure(params.error).message}. Trying again after the next silence window.`,
      });
    }),
  },
}).createMachine({
  id: "siblingWatch",
  context: ({ input }) => initialSiblingWatchContext(input),
  type: "parallel",
  on: {
    "CHILD.HEARTBEAT": { actions: { type: "noteHeartbeat", params: ({ event }) => event } },
  },
  states: {
    roster: {
      initial: "following",
      states: {
        following: {
          invoke: {
            src: "followRoster",
            id: "roster-follower",
            input: ({ context }) => ({
              relays: context.settings.relays,
              parentNpub: context.settings.parentNpub,
            }),
          },
        },
      },
      on: {
        "SIBLINGS.ROSTER": {
          guard: { type: "newerRoster", params: ({ event }) => event },
          actions: { type: "takeRoster", params: ({ event }) => event },
        },
      },
    },

    listening: {
      initial: "choosing",
      on: {
        "SIBLINGS.ROSTER": {
          guard: { type: "rosterChangesMembers", params: ({ event }) => event },
          target: ".choosing",
        },
      },
      states: {
        choosing: {
          always: [{ guard: "hasRoster", target: "subscribed" }, { target: "awaiting_roster" }],
        },
        awaiting_roster: {},
        subscribed: {
          invoke: {
            src: "watchMemberHeartbeats",
            id: "member-heartbeats",
            input: ({ context }) => ({ relays: context.settings.relays, children: watchedMembers(context) }),
          },
        },
      },
    },

    watch: {
      initial: "awaiting_roster",
      states: {
        awaiting_roster: {
          always: { guard: "hasRoster", target: "checking" },
        },
        checking: {
          invoke: {
            src: "checkSiblings",
            onDone: {
              target: "judging",
              actions: { type: "noteCheck", params: ({ event }) => event.output },
            },
          },
        },
        judging: {
          always: [
            { guard: "resurrectionDue", target: "resurrecting", actions: "beginResurrection" },
            { target: "waiting" },
          ],
        },
        resurrecting: {
          invoke: {
            src: "resurrectSibling",
            input: ({ context }) => {
              const { childId, window, attempt } = context.resurrecting!;
              return {
                key: `${context.agentId}:resurrect-sibling:${childId}:${window}`,
                childId,
                attempt,
                avoidProviders: familyProviders(context),
              };
            },
            onDone: {
              target: "waiting",
              actions: { type: "adoptOutcome", params: ({ event }) => ({ output: event.output }) },
            },
            onError: {
              target: "waiting",
              actions: [
                { type: "alertFailure", params: ({ event }) => ({ error: event.error }) },
                { type: "recordFailure", params: ({ event }) => ({ error: event.error }) },
              ],
            },
          },
        },
        waiting: {
          invoke: {
            src: "waitUntil",
            input: ({ context }) => ({ until: context.nextCheckAt ?? 0 }),
            onDone: "checking",
          },
        },
      },
    },
  },
});

export type SiblingWatchMachine = typeof siblingWatchMachine;
