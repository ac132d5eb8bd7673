import { assign, setup } from "xstate";
import { actorContract } from "../shared/actor-contract.js";
import { backoffDelayMs, toEffectFailure, waitFor, waitUntil } from "../shared/index.js";
import type {
  BackupContext,
  BackupEvent,
  BackupInput,
  BackupReason,
  RunBackupInput,
  RunBackupOutput,
} from "./backup.types.js";

/**
 * Backs the agent's store up to Arweave (DESIGN §15): at once after each milestone the agent reaches
 * (lease active, migration done, child born, key rotated) and when the schedule comes due. One backup
 * runs at a time; a milestone during one queues exactly one more. A failed backup is tried again with
 * backoff; the previous pointer stays valid meanwhile (the effect uploads first, moves the pointer last).
 */
export const backupMachine = setup({
  types: {
    context: {} as BackupContext,
    events: {} as BackupEvent,
    input: {} as BackupInput,
  },
  actors: {
    /** Export, seal, upload, wait until served, then move the pointer (idempotent per reserved seq). */
    runBackup: actorContract<RunBackupOutput, RunBackupInput>("runBackup"),
    waitUntil,
    waitFor,
  },
  guards: {
    hasPendingMilestone: ({ context }) => context.pendingReason !== null,
  },
  actions: {
    begin: assign((_, params: { reason: BackupReason }) => ({ reason: params.reason, attempt: 0 })),
    queue: assign((_, params: { reason: BackupReason }) => ({ pendingReason: params.reason })),
    beginQueued: assign(({ context }) => ({
      reason: context.pendingReason,
      pendingReason: null,
      attempt: 0,
    })),
    recordBackup: assign(({ context }, params: { output: RunBackupOutput }) => ({
      last: params.output,
      nextDueAt: params.output.at + context.settings.intervalMs,
      lastError: null,
      attempt: 0,
    })),
    recordFailure: assign(({ context }, params: { error: unknown }) => ({
      lastError: toEffectFailure(params.error),
      attempt: context.attempt + 1,
    })),
  },
}).createMachine({
  id: "backup",
  context: ({ input }) => ({
    settings: input.settings,
    nextDueAt: input.firstDueAt,
    reason: null,
    pendingReason: null,
    attempt: 0,
    last: null,
    lastError: null,
  }),
  initial: "idle",
  states: {
    idle: {
      invoke: {
        src: "waitUntil",
        input: ({ context }) => ({ until: context.nextDueAt }),
        onDone: { target: "backing_up", actions: { type: "begin", params: { reason: "schedule" } } },
      },
      on: {
        "BACKUP.MILESTONE": {
          target: "backing_up",
          actions: { type: "begin", params: ({ event }) => ({ reason: event.reason }) },
        },
        "BACKUP.NOW": { target: "backing_up", actions: { type: "begin", params: { reason: "requested" } } },
      },
    },
    backing_up: {
      invoke: {
        src: "runBackup",
        input: ({ context }) => ({ reason: context.reason ?? "requested", attempt: context.attempt }),
        onDone: [
          {
            guard: "hasPendingMilestone",
            target: "backing_up",
            reenter: true,
            actions: [
              { type: "recordBackup", params: ({ event }) => ({ output: event.output }) },
              "beginQueued",
            ],
          },
          {
            target: "idle",
            actions: { type: "recordBackup", params: ({ event }) => ({ output: event.output }) },
          },
        ],
        onError: {
          target: "backing_off",
          actions: { type: "recordFailure", params: ({ event }) => ({ error: event.error }) },
        },
      },
      on: {
        "BACKUP.MILESTONE": { actions: { type: "queue", params: ({ event }) => ({ reason: event.reason }) } },
        "BACKUP.NOW": { actions: { type: "queue", params: { reason: "requested" } } },
      },
    },
    backing_off: {
      invoke: {
        src: "waitFor",
        input: ({ context }) => ({
          ms: backoffDelayMs(context.attempt - 1, {
            maxRetries: Number.POSITIVE_INFINITY,
            baseDelayMs: context.settings.baseBackoffMs,
            maxDelayMs: context.settings.maxBackoffMs,
          }),
        }),
        onDone: "backing_up",
      },
      on: {
        "BACKUP.MILESTONE": { actions: { type: "queue", params: ({ event }) => ({ reason: event.reason }) } },
        "BACKUP.NOW": { target: "backing_up" },
      },
    },
  },
});

export type BackupMachine = typeof backupMachine;
