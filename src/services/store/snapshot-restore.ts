import type { Snapshot } from "xstate";
import type { JsonObject } from "./json-data.js";
import type { SnapshotRepository } from "./snapshot-repository.js";
import { StoreError, UnknownSnapshotVersionError } from "./store-errors.js";

/** Turns a snapshot written by an older machine version into one the current machine reads. */
export type SnapshotUpgrade = (snapshot: JsonObject) => JsonObject;

/** The machine versions a build can restore. */
export interface SnapshotVersionSupport {
  /** The version the running machine writes; its snapshots are restored as they are. */
  readonly current: string;
  /** Older versions this build still restores, each with the function that lifts such a snapshot to `current`. */
  readonly upgrades?: Readonly<Record<string, SnapshotUpgrade>>;
}

export interface RestoredSnapshot {
  readonly seq: number;
  readonly machineId: string;
  /** The version the snapshot was written with (before any upgrade). */
  readonly storedVersion: string;
  readonly createdAt: number;
  /** Pass as `createActor(machine, { snapshot })`. */
  readonly snapshot: Snapshot<unknown>;
}

const restorableStatuses = new Set(["active", "done"]);

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the newest snapshot of `machineId` for `createActor(machine, { snapshot })`, upgrading it when
 * it was written by a supported older version. Returns `undefined` when none was ever written. Refuses a
 * snapshot of any other version with `UnknownSnapshotVersionError` rather than guessing.
 */
export function restoreLatestSnapshot(
  snapshots: SnapshotRepository,
  machineId: string,
  support: SnapshotVersionSupport,
): RestoredSnapshot | undefined {
  const stored = snapshots.latest(machineId);
  if (!stored) return undefined;
  const upgrades = support.upgrades ?? {};
  const isCurrent = stored.machineVersion === support.current;
  const upgrade = Object.hasOwn(upgrades, stored.machineVersion)
    ? upgrades[stored.machineVersion]
    : undefined;
  if (!isCurrent && !upgrade) {
    const known = [
      support.current,
      ...Object.keys(upgrades).filter((version) => version !== support.current),
    ];
    throw new UnknownSnapshotVersionError(machineId, stored.seq, stored.machineVersion, known);
  }
  let parsed: unknown = JSON.parse(stored.snapshotJson);
  if (!isJsonObject(parsed)) {
    throw new StoreError(
      `snapshot #${stored.seq} of machine "${machineId}" is not an object: move the data directory aside to start from scratch`,
    );
  }
  if (!isCurrent && upgrade) parsed = upgrade(parsed);
  if (!isJsonObject(parsed) || typeof parsed.status !== "string" || !restorableStatuses.has(parsed.status)) {
    throw new StoreError(
      `snapshot #${stored.seq} of machine "${machineId}" (version "${stored.machineVersion}") has no active or done status: ` +
        "fix the upgrade function or move the data directory aside to start from scratch",
    );
  }
  return {
    seq: stored.seq,
    machineId,
    storedVersion: stored.machineVersion,
    createdAt: stored.createdAt,
    // The persisted form is what getPersistedSnapshot() produced; xstate revives it, children included.
    snapshot: parsed as unknown as Snapshot<unknown>,
  };
}
