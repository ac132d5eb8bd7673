import type { EffectFailure } from "../shared/index.js";

/** What made a backup: a milestone of the agent, the schedule, or a host's request. */
export type BackupReason =
  | "lease_active"
  | "migration_done"
  | "child_born"
  | "key_rotated"
  | "schedule"
  | "requested";

export interface BackupSettings {
  /** A scheduled backup this long after the last one. */
  readonly intervalMs: number;
  /** Backoff between failed attempts (doubling, capped). */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** The last backup that reached the pointer. */
export interface BackupRecord {
  readonly seq: number;
  readonly id: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly at: number;
}

export interface RunBackupInput {
  readonly reason: BackupReason;
  /** Attempts made for this reason before this one. */
  readonly attempt: number;
}

export type RunBackupOutput = BackupRecord;

export interface BackupContext {
  readonly settings: BackupSettings;
  /** When the scheduled backup is due (absolute, so a restore waits for the same instant). */
  readonly nextDueAt: number;
  readonly reason: BackupReason | null;
  /** A milestone that came while a backup was under way: one more backup follows it. */
  readonly pendingReason: BackupReason | null;
  readonly attempt: number;
  readonly last: BackupRecord | null;
  readonly lastError: EffectFailure | null;
}

export interface BackupInput {
  readonly settings: BackupSettings;
  /** The first scheduled backup's time (the host's clock at start plus the interval). */
  readonly firstDueAt: number;
}

export type BackupEvent = { type: "BACKUP.MILESTONE"; reason: BackupReason } | { type: "BACKUP.NOW" };
