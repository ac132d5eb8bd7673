import type { AnyActorRef, InspectionEvent } from "xstate";
import type { AgentStore } from "./agent-store.js";
import type { JournalEntry, JournalInput } from "./journal-repository.js";
import { assertJsonData } from "./json-data.js";
import { assertNoSecrets } from "./snapshot-guard.js";
import { StoreError } from "./store-errors.js";

export interface SnapshotPersisterOptions {
  readonly store: Pick<AgentStore, "snapshots" | "journal" | "transaction">;
  /** Names the root machine in the snapshots table, e.g. `agent`. */
  readonly machineId: string;
  /** Version of the root machine's snapshot shape; bump it when a persisted snapshot would no longer restore. */
  readonly machineVersion: string;
  /** Current secret strings (mnemonic, private keys in every encoding kept, passphrases); asked on every write. */
  readonly secrets?: () => Iterable<string>;
  /** Check each snapshot is plain JSON data before writing it. Default: on unless NODE_ENV is `production`. */
  readonly checkJson?: boolean;
  /**
   * Receives the error when a write that follows a step fails (secret found, not JSON, disk error).
   * Default: rethrow, which surfaces as an uncaught exception and ends the process — the agent must not
   * go on acting on state it cannot persist.
   */
  readonly onError?: (error: unknown) => void;
}

export interface SnapshotPersister {
  /** Pass as `createActor(machine, { inspect: persister.inspect })`. */
  readonly inspect: (event: InspectionEvent) => void;
  /** Gives the persister the root actor; call after `createActor` and before `start()`. */
  attach(root: AnyActorRef): void;
  /**
   * Journals an external input just before it is sent to an actor; the entry is linked to the
   * snapshot written after the step it leads to.
   */
  recordInput(input: JournalInput): JournalEntry;
  /**
   * Writes the root's persisted snapshot now if any actor changed since the last write. Returns the
   * seq of the newest persisted state, `undefined` when none exists yet. Throws instead of reporting to `onError`.
   */
  flush(): number | undefined;
  /**
   * Runs `write` inside the transaction that saves the current step's snapshot (so its rows exist
   * exactly when that state does), then `afterCommit` once the transaction committed. A step whose
   * snapshot cannot be written never runs either: nothing leaves for a state that was not saved.
   */
  stageWithNextWrite(write: () => void, afterCommit: () => void): void;
  /** Snapshot rows written so far by this persister. */
  readonly writes: number;
  /** Flushes that found the snapshot identical to the last one written and skipped it. */
  readonly skippedIdentical: number;
  readonly lastSeq: number | undefined;
}

const writableStatuses = new Set(["active", "done"]);

/**
 * Persists the root actor's `getPersistedSnapshot()` after every settled step of any actor in the
 * system. The root's own `subscribe` misses steps in which only a child changed, so this listens to the
 * inspection stream: each `@xstate.snapshot` (from any actor) marks the system dirty, and the first
 * inspection event of a step queues one microtask that writes once the synchronous step has finished.
 * XState processes a step (the event, every microstep, sends to children and their steps) synchronously,
 * so all of a step's events arrive before that microtask runs: one write per step, however many actors moved.
 * The microtask is queued before any actor started in the step can resume after an `await`.
 */
export function createSnapshotPersister(options: SnapshotPersisterOptions): SnapshotPersister {
  const { store, machineId, machineVersion } = options;
  const checkJson = options.checkJson ?? process.env.NODE_ENV !== "production";
  const secrets = options.secrets ?? (() => []);
  const onError =
    options.onError ??
    ((error: unknown) => {
      throw error;
    });

  const previous = store.snapshots.latest(machineId);
  let lastJson = previous?.machineVersion === machineVersion ? previous.snapshotJson : undefined;
  let lastSeq = previous?.machineVersion === machineVersion ? previous.seq : undefined;
  let root: AnyActorRef | undefined;
  let dirty = false;
  let scheduled = false;
  let writes = 0;
  let skippedIdentical = 0;
  let unlinkedInputs: number[] = [];
  let staged: { write: () => void; afterCommit: () => void }[] = [];

  const flush = (): number | undefined => {
    scheduled = false;
    if (!root || (!dirty && unlinkedInputs.length === 0 && staged.length === 0)) return lastSeq;
    const status: unknown = root.getSnapshot().status;
    if (!writableStatuses.has(String(status))) {
      if ((dirty || staged.length > 0) && status === "stopped") {
        dirty = false;
        staged = [];
        throw new StoreError(
          `machine "${machineId}" was stopped before its last step was persisted: call persister.flush() before actor.stop()`,
        );
      }
      return lastSeq;
    }
    const persisted = root.getPersistedSnapshot();
    if (checkJson) assertJsonData(persisted, `the persisted snapshot of machine "${machineId}"`);
    const json = JSON.stringify(persisted);
    const stagedNow = staged;
    staged = [];
    assertNoSecrets(machineId, json, persisted, secrets());
    const inputs = unlinkedInputs;
    const runStaged = () => {
      for (const entry of stagedNow) entry.write();
    };
    if (json === lastJson && lastSeq !== undefined) {
      const seq = lastSeq;
      store.transaction(() => {
        store.journal.linkToSnapshot(inputs, seq);
        runStaged();
      });
      skippedIdentical += dirty ? 1 : 0;
    } else {
      lastSeq = store.transaction(() => {
        const seq = store.snapshots.append({ machineId, machineVersion, snapshotJson: json });
        store.journal.linkToSnapshot(inputs, seq);
        runStaged();
        return seq;
      });
      lastJson = json;
      writes += 1;
    }
    dirty = false;
    unlinkedInputs = [];
    for (const entry of stagedNow) entry.afterCommit();
    return lastSeq;
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      if (!scheduled) return;
      try {
        flush();
      } catch (error) {
        onError(error);
      }
    });
  };

  return {
    inspect: (event) => {
      // A stopping actor's last snapshot is not a state change of the agent.
      if (event.type === "@xstate.snapshot" && event.snapshot.status !== "stopped") dirty = true;
      schedule();
    },
    attach: (actor) => {
      if (root && root !== actor)
        throw new StoreError(`a snapshot persister serves one root actor; "${machineId}" already has one`);
      root = actor;
      if (dirty) schedule();
    },
    recordInput: (input) => {
      const entry = store.journal.append(input);
      unlinkedInputs.push(entry.id);
      schedule();
      return entry;
    },
    stageWithNextWrite: (write, afterCommit) => {
      staged.push({ write, afterCommit });
      schedule();
    },
    flush,
    get writes() {
      return writes;
    },
    get skippedIdentical() {
      return skippedIdentical;
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}
