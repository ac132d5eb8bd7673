import { fromPromise } from "xstate";
import type { Logger } from "../logging/index.js";
import type { RunBackupInput, RunBackupOutput } from "../machines/backup/backup.types.js";
import { type BackupStep, type BackupTarget, makeBackup } from "../services/backup/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import type { AgentStore } from "../services/store/index.js";
import { createWaitActors } from "./wait-actors.js";

export interface BackupActorDeps {
  readonly store: AgentStore;
  readonly keys: AgentKeys;
  readonly target: BackupTarget;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly onStep?: (step: BackupStep) => void | Promise<void>;
}

/**
 * The backup machine's actors over the backup services. `runBackup` is at-least-once: a re-invoked
 * one (after a crash) finds the reserved seq and the recorded data item in the store and finishes
 * that backup rather than starting another.
 */
export function createBackupActors(deps: BackupActorDeps) {
  const now = deps.now ?? Date.now;
  return {
    runBackup: fromPromise<RunBackupOutput, RunBackupInput>(async ({ input }) => {
      try {
        const result = await makeBackup({
          store: deps.store,
          keys: deps.keys,
          target: deps.target,
          now,
          ...(deps.onStep ? { onStep: deps.onStep } : {}),
        });
        deps.logger.info(
          {
            reason: input.reason,
            seq: result.seq,
            id: result.id,
            bytes: result.bytes,
            storeBytes: result.storeBytes,
            resumed: result.resumed,
          },
          `backup ${result.seq} on Arweave (${result.bytes} bytes sealed from a ${result.storeBytes}-byte store)`,
        );
        return { seq: result.seq, id: result.id, sha256: result.sha256, bytes: result.bytes, at: now() };
      } catch (error) {
        deps.logger.warn(
          { reason: input.reason, attempt: input.attempt, err: error },
          "backup failed: the previous backup pointer stays; trying again",
        );
        throw error;
      }
    }),
    ...createWaitActors(now),
  };
}
