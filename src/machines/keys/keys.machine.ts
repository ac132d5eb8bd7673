import { assign, enqueueActions, setup } from "xstate";
import { toEffectFailure, waitFor, waitUntil } from "../shared/index.js";
import { keyRotationActorContracts } from "./keys.actors.js";
import {
  dueAfter,
  initialKeyRotationContext,
  type KeyRotationContext,
  type KeyRotationInput,
  nextDueKey,
  scheduledKeys,
} from "./keys.context.js";
import type { KeyRotationEvent, KeyRotationNotice } from "./keys.events.js";
import type { KeyName, KeyRotationSettings, OwnerMove, RotationPhase } from "./keys.types.js";

/** How long after the first ask a rotation's move is asked of the lease again while it is not done. */
const DEFAULT_MOVE_REQUEST_MS = 60_000;
/** The longest wait between two asks: a lease that cannot move (no funds, no bids) is not asked every minute forever. */
const DEFAULT_MAX_MOVE_REQUEST_MS = 30 * 60_000;

/** The wait after the `asked`-th ask for a move: doubling from `moveRequestMs`, capped. */
export function moveRequestDelayMs(settings: KeyRotationSettings, asked: number): number {
  const base = settings.moveRequestMs ?? DEFAULT_MOVE_REQUEST_MS;
  const max = Math.max(base, settings.maxMoveRequestMs ?? DEFAULT_MAX_MOVE_REQUEST_MS);
  return Math.min(max, base * 2 ** Math.min(30, Math.max(0, asked - 1)));
}

/**
 * Rotates each key in `settings.rotating` on its own schedule (Akash and payment keys 30 days, identity
 * and encryption 90): prepare the next index → dual-key grace period (both accepted) → make the new
 * key primary → revoke the old one. With no key to rotate it stays `disabled` and answers a request
 * with an alert. A failure in any step rolls the rotation back and alerts. Due times and the
 * end of the grace period are absolute times in context, waited on with `waitUntil`, so a restart
 * neither forgets nor restarts them.
 *
 * The Akash key owns the deployment, so its new index becoming primary is followed by `migrating`:
 * the agent is asked (KEYS.MOVE_NEEDED, again every `moveRequestMs` until done) to move into a
 * deployment the new key owns — a self-migration with handover — and the rotation goes on to
 * `revoking` (close what the old key still owns, sweep its funds) once the lease reports itself
 * active in such a deployment. On a self-migration that state is resumed by the next instance.
 */
export const keyRotationMachine = setup({
  types: {
    context: {} as KeyRotationContext,
    events: {} as KeyRotationEvent,
    input: {} as KeyRotationInput,
  },
  actors: { ...keyRotationActorContracts, waitUntil, waitFor },
  guards: {
    nothingRotates: ({ context }) => scheduledKeys(context.settings).length === 0,
    movesOwner: (_, params: { move?: OwnerMove }) => params.move !== undefined,
    isMovedTo: ({ context }, params: { owner: string | null }) =>
      context.rotation?.move !== undefined && context.rotation.move.owner === params.owner,
  },
  actions: {
    notify: enqueueActions(({ enqueue, self }, params: { notice: KeyRotationNotice }) => {
      if (self._parent) enqueue.sendParent(params.notice);
    }),
    begin: assign(({ context }, params: { name: KeyName }) => ({
      rotation: {
        key: params.name,
        fromIndex: context.keys[params.name].index,
        toIndex: context.keys[params.name].index + 1,
        phase: "preparing" as const,
        graceEndsAt: null,
      },
    })),
    enterPhase: assign(({ context }, params: { phase: RotationPhase }) => ({
      rotation: context.rotation ? { ...context.rotation, phase: params.phase } : null,
    })),
    startMove: assign(({ context }, params: { move: OwnerMove }) => ({
      rotation: context.rotation
        ? { ...context.rotation, phase: "migrating" as const, move: params.move }
        : null,
    })),
    countMoveRequest: assign(({ context }) => ({
      rotation: context.rotation
        ? { ...context.rotation, moveRequests: (context.rotation.moveRequests ?? 0) + 1 }
        : null,
    })),
    applySchedule: assign(({ context }, params: { rotating: KeyName[] }) => ({
      settings: { ...context.settings, rotating: params.rotating },
    })),
    startGrace: assign(({ context }, params: { at: number }) => ({
      rotation: context.rotation
        ? { ...context.rotation, phase: "grace" as const, graceEndsAt: params.at + context.settings.graceMs }
        : null,
    })),
    complete: assign(({ context }, params: { at: number }) => {
      const rotation = context.rotation!;
      return {
        keys: {
          ...context.keys,
          [rotation.key]: {
            index: rotation.toIndex,
            rotatedAt: params.at,
            dueAt: dueAfter(rotation.key, params.at, context.settings),
          },
        },
        rotation: null,
        rotations: context.rotations + 1,
      };
    }),
    recordError: assign(({ context }, params: { error: unknown }) => ({
      lastError: { ...toEffectFailure(params.error), key: context.rotation!.key },
    })),
    postpone: assign(({ context }, params: { at: number }) => {
      const rotation = context.rotation!;
      return {
        keys: {
          ...context.keys,
          [rotation.key]: { ...context.keys[rotation.key], dueAt: params.at + context.settings.retryAfterMs },
        },
        rotation: null,
      };
    }),
  },
}).createMachine({
  id: "keys",
  context: ({ input }) => initialKeyRotationContext(input),
  initial: "starting",
  on: {
    "KEYS.SCHEDULE": { actions: { type: "applySchedule", params: ({ event }) => event } },
  },
  states: {
    starting: {
      always: [{ guard: "nothingRotates", target: "disabled" }, { target: "scheduled" }],
    },
    disabled: {
      on: {
        "KEYS.SCHEDULE": {
          target: "starting",
          actions: { type: "applySchedule", params: ({ event }) => event },
        },
        "KEYS.ROTATE_NOW": {
          actions: {
            type: "notify",
            params: ({ event }) => ({
              notice: {
                type: "ALERT.RAISED",
                source: "keys",
                severity: "medium",
                title: `The ${event.key} key was not rotated`,
                message:
                  "Key rotation is off for this agent (keyRotation.enabled, or a keystore that cannot save a rotated key).",
              },
            }),
          },
        },
      },
    },
    scheduled: {
      invoke: {
        src: "waitUntil",
        input: ({ context }) => ({ until: context.keys[dueKey(context)].dueAt }),
        onDone: {
          target: "rotating",
          actions: { type: "begin", params: ({ context }) => ({ name: dueKey(context) }) },
        },
      },
      on: {
        "KEYS.SCHEDULE": {
          target: "starting",
          actions: { type: "applySchedule", params: ({ event }) => event },
        },
        "KEYS.ROTATE_NOW": {
          target: "rotating",
          actions: { type: "begin", params: ({ event }) => ({ name: event.key }) },
        },
      },
    },
    rotating: {
      initial: "preparing",
      states: {
        preparing: {
          invoke: {
            src: "prepareNextKey",
            input: ({ context }) => stepInput(context, "prepare"),
            onDone: { target: "grace", actions: { type: "startGrace", params: ({ event }) => event.output } },
            onError: {
              target: "#keys.rolling_back",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        grace: {
          invoke: {
            src: "waitUntil",
            input: ({ context }) => ({ until: context.rotation!.graceEndsAt! }),
            onDone: {
              target: "activating",
              actions: { type: "enterPhase", params: { phase: "activating" } },
            },
          },
        },
        activating: {
          invoke: {
            src: "activateNextKey",
            input: ({ context }) => stepInput(context, "activate"),
            onDone: [
              {
                guard: { type: "movesOwner", params: ({ event }) => event.output },
                target: "migrating",
                actions: { type: "startMove", params: ({ event }) => ({ move: event.output.move! }) },
              },
              { target: "revoking", actions: { type: "enterPhase", params: { phase: "revoking" } } },
            ],
            onError: {
              target: "#keys.rolling_back",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        /** The new key is primary; the agent moves into a deployment it owns (the lease does the move). */
        migrating: {
          entry: [
            "countMoveRequest",
            {
              type: "notify",
              params: ({ context }) => ({
                notice: {
                  type: "KEYS.MOVE_NEEDED",
                  ...context.rotation!.move!,
                  reason: `rotation of the ${context.rotation!.key} key to index ${context.rotation!.toIndex}`,
                },
              }),
            },
          ],
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({
              ms: moveRequestDelayMs(context.settings, context.rotation!.moveRequests ?? 1),
            }),
            onDone: { target: "migrating", reenter: true },
          },
          on: {
            "KEYS.LEASE_ACTIVE": {
              guard: { type: "isMovedTo", params: ({ event }) => event },
              target: "revoking",
              actions: { type: "enterPhase", params: { phase: "revoking" } },
            },
          },
        },
        revoking: {
          invoke: {
            src: "revokeOldKey",
            input: ({ context }) => stepInput(context, "revoke"),
            onDone: {
              target: "#keys.scheduled",
              actions: [
                {
                  type: "notify",
                  params: ({ context }) => ({
                    notice: {
                      type: "KEYS.ROTATED",
                      key: context.rotation!.key,
                      index: context.rotation!.toIndex,
                    },
                  }),
                },
                { type: "complete", params: ({ event }) => event.output },
              ],
            },
            onError: {
              target: "#keys.rolling_back",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
      },
    },
    rolling_back: {
      entry: [
        {
          type: "notify",
          params: ({ context }) => ({
            notice: {
              type: "KEYS.ROTATION_FAILED",
              key: context.rotation!.key,
              reason: context.lastError?.message ?? "unknown",
            },
          }),
        },
        {
          type: "notify",
          params: ({ context }) => ({
            notice: {
              type: "ALERT.RAISED",
              source: "keys",
              severity: "high",
              title: `Rotation of the ${context.rotation!.key} key failed`,
              message: `Rolled back to index ${context.rotation!.fromIndex}: ${context.lastError?.message ?? "unknown"}`,
            },
          }),
        },
      ],
      invoke: {
        src: "rollbackRotation",
        input: ({ context }) => ({ ...stepInput(context, "rollback"), failedPhase: context.rotation!.phase }),
        onDone: { target: "scheduled", actions: { type: "postpone", params: ({ event }) => event.output } },
        onError: {
          target: "rollback_failed",
          actions: {
            type: "notify",
            params: ({ context }) => ({
              notice: {
                type: "ALERT.RAISED",
                source: "keys",
                severity: "critical",
                title: `Rollback of the ${context.rotation!.key} key rotation failed`,
                message: "Both key indices may be in use; check the keystore and revoke by hand.",
              },
            }),
          },
        },
      },
    },
    rollback_failed: {
      on: {
        "KEYS.ROTATE_NOW": {
          target: "rotating",
          actions: { type: "begin", params: ({ event }) => ({ name: event.key }) },
        },
      },
    },
  },
});

/** The key the schedule waits for: `scheduled` is entered only when some key rotates. */
function dueKey(context: KeyRotationContext): KeyName {
  return nextDueKey(context)!;
}

function stepInput(context: KeyRotationContext, step: string) {
  const rotation = context.rotation!;
  return {
    key: `${context.agentId}:rotate:${rotation.key}:${rotation.toIndex}:${step}`,
    name: rotation.key,
    fromIndex: rotation.fromIndex,
    toIndex: rotation.toIndex,
  };
}

export type KeyRotationMachine = typeof keyRotationMachine;
