import { type Actor, type AnyActorRef, createActor, type InspectionEvent } from "xstate";
import { createBackupActors } from "../actors/backup-actors.js";
import type { Logger } from "../logging/index.js";
import { backupMachine } from "../machines/backup/backup.machine.js";
import type { BackupSettings } from "../machines/backup/backup.types.js";
import type { BackupStep, BackupTarget } from "../services/backup/index.js";
import { type AgentKeys, knownSecretValues } from "../services/keys/index.js";
import { type AgentStore, createSnapshotPersister, restoreLatestSnapshot } from "../services/store/index.js";
import { createMilestoneDetector, tookOverSinceLastBackup } from "./backup-milestones.js";

export const BACKUP_MACHINE_ID = "backup";
export const BACKUP_MACHINE_VERSION = "1";

export interface BackupRuntimeOptions {
  readonly store: AgentStore;
  readonly keys: AgentKeys;
  readonly target: BackupTarget;
  readonly settings: BackupSettings;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly onStep?: (step: BackupStep) => void | Promise<void>;
}

export interface BackupRuntime {
  readonly actor: Actor<typeof backupMachine>;
  /** Pass every inspection event of the agent system here: milestones become backups. */
  observe(event: InspectionEvent): void;
  /** The agent's root actor, once it exists (its events are the milestones). */
  watch(root: () => AnyActorRef | undefined): void;
  stop(): void;
}

/**
 * Runs the backup machine beside the agent, persisted in the same store under its own machine id (so
 * a restart resumes its schedule and finishes an interrupted backup), fed milestones from the agent's
 * inspection stream.
 */
export function startBackupRuntime(options: BackupRuntimeOptions): BackupRuntime {
  const now = options.now ?? Date.now;
  const restored = restoreLatestSnapshot(options.store.snapshots, BACKUP_MACHINE_ID, {
    current: BACKUP_MACHINE_VERSION,
  });
  const persister = createSnapshotPersister({
    store: options.store,
    machineId: BACKUP_MACHINE_ID,
    machineVersion: BACKUP_MACHINE_VERSION,
    secrets: knownSecretValues,
    onError: (error) => options.logger.error({ err: error }, "cannot persist the backup schedule"),
  });
  const machine = backupMachine.provide({
    actors: createBackupActors({
      store: options.store,
      keys: options.keys,
      target: options.target,
      logger: options.logger,
      now,
      ...(options.onStep ? { onStep: options.onStep } : {}),
    }),
  });
  const actor = createActor(machine, {
    id: BACKUP_MACHINE_ID,
    input: { settings: options.settings, firstDueAt: now() + options.settings.intervalMs },
    ...(restored ? { snapshot: restored.snapshot as never } : {}),
    inspect: persister.inspect,
  });
  persister.attach(actor);
  actor.start();
  if (tookOverSinceLastBackup(options.store.leadership.current(), actor.getSnapshot().context.last)) {
    actor.send({ type: "BACKUP.NOW" });
  }
  let detect: ((event: InspectionEvent) => ReturnType<ReturnType<typeof createMilestoneDetector>>) | null =
    null;
  return {
    actor,
    watch(root) {
      detect = createMilestoneDetector(root);
    },
    observe(event) {
      const reason = detect?.(event);
      if (reason) actor.send({ type: "BACKUP.MILESTONE", reason });
    },
    stop() {
      persister.flush();
      actor.stop();
    },
  };
}
