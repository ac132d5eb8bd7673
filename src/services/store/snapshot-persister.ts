import type { AnyActorRef, InspectionEvent } from "xstate";
import { type ActorRow, splitIntoRows } from "./actor-rows.js";
import type { AgentStore } from "./agent-store.js";
import type { CommitGroup, CommitGroupMember, GroupWrite } from "./commit-group.js";
import type { JournalEntry, JournalInput } from "./journal-repository.js";
import { assertJsonData } from "./json-data.js";
import { createPersistedMemo, createRowMemo } from "./row-memo.js";
import { assertNoSecrets } from "./snapshot-guard.js";
import { StoreError } from "./store-errors.js";
import { barrierDetector, type WriteBarriers } from "./write-barriers.js";

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
   * Write only at barriers (DESIGN §17; see write-barriers.ts) instead of after every settled step.
   * Default: every step.
   */
  readonly barriers?: WriteBarriers;
  /**
   * Turns the root's persisted snapshot into the form that is written, e.g. with volatile readings
   * blanked so that unchanged cycles serialize identically. It must not mutate its argument.
   */
  readonly persistedForm?: (persisted: unknown) => unknown;
  /** Commit together with the other persisters of this group: one transaction per tick (DESIGN §17). */
  readonly commitGroup?: CommitGroup;
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
   * snapshot written after the step it leads to (journaling is a barrier).
   */
  recordInput(input: JournalInput): JournalEntry;
  /**
   * Writes the root's persisted snapshot now if any actor changed since the last write. Returns the
   * seq of the newest persisted state, `undefined` when none exists yet. Throws instead of reporting to `onError`.
   */
  flush(): number | undefined;
  /**
   * Makes the current step a barrier: it is written with the step's commit, before anything queued
   * after the step runs. For a host that acts on a step itself (e.g. pays a funds request it made).
   */
  requireWrite(): void;
  /**
   * Runs `write` inside the transaction that saves the current step's snapshot (so its rows exist
   * exactly when that state does), then `afterCommit` once the transaction committed. A step whose
   * snapshot cannot be written never runs either: nothing leaves for a state that was not saved.
   */
  stageWithNextWrite(write: () => void, afterCommit: () => void): void;
  /** Writes so far by this persister (each rewrites the rows of the actors that changed). */
  readonly writes: number;
  /** Flushes that found the snapshot identical to the last one written and skipped it. */
  readonly skippedIdentical: number;
  /** Settled steps that changed state without reaching a barrier, so were not written one by one. */
  readonly deferredSteps: number;
  /** Actor rows serialized at writes, and rows whose actors had not changed so their JSON was reused. */
  readonly rowsSerialized: number;
  readonly rowsReused: number;
  readonly lastSeq: number | undefined;
}

const writableStatuses = new Set(["active", "done"]);

/**
 * Persists the root actor's `getPersistedSnapshot()` after settled steps of any actor in the system:
 * every step, or (with `barriers`) every step that reached a barrier. It is stored as one row per actor
 * (the root and each child machine of it, actor-rows.ts), and a write rewrites only the rows that changed. The root's own `subscribe` misses
 * steps in which only a child changed, so this listens to the inspection stream: each `@xstate.snapshot`
 * (from any actor) marks the system dirty, and the first inspection event of a step queues one microtask
 * (or asks the commit group for its tick's transaction) that writes once the synchronous step has
 * finished. XState processes a step (the event, every microstep, sends to children and their steps)
 * synchronously, so all of a step's events arrive before that microtask runs: one write per step, however
 * many actors moved. The microtask is queued before any actor started in the step can resume after an `await`.
 */
export function createSnapshotPersister(options: SnapshotPersisterOptions): SnapshotPersister {
  const { store, machineId, machineVersion } = options;
  const checkJson = options.checkJson ?? process.env.NODE_ENV !== "production";
  const secrets = options.secrets ?? (() => []);
  const detector = options.barriers ? barrierDetector(options.barriers) : null;
  const persistedForm = options.persistedForm ?? ((persisted: unknown) => persisted);
  const group = options.commitGroup;
  const onError =
    options.onError ??
    ((error: unknown) => {
      throw error;
    });

  // One row per actor, each rewritten only when it changed: what each row holds now, by path.
  const previous = store.snapshots.actorRowsOf(machineId);
  const current = previous?.machineVersion === machineVersion ? previous : undefined;
  let lastRows = new Map((current?.rows ?? []).map((row) => [row.path, row.json]));
  let lastSeq = current?.seq;
  let root: AnyActorRef | undefined;
  let dirty = false;
  let barrier = false;
  let scheduled = false;
  let writes = 0;
  let skippedIdentical = 0;
  let deferredSteps = 0;
  let unlinkedInputs: number[] = [];
  const memo = createRowMemo();
  const persistedMemo = createPersistedMemo();
  // The rows last found free of the secrets last asked for: an unchanged row need not be searched again.
  let searchedRows = new Map<string, string>();
  let searchedFor: string[] = [];
  let staged: { write: () => void; afterCommit: () => void }[] = [];

  /** Whether what changed must be written now: any change without barriers, a barrier with them. */
  const mustWrite = () => (detector ? barrier : dirty) || unlinkedInputs.length > 0 || staged.length > 0;

  /**
   * Takes what is to be written (the snapshot, the inputs to link, the staged writes) and returns the
   * write to run inside a transaction, or null when nothing is due. `force` writes a dirty state that
   * reached no barrier (flush, stop).
   */
  const prepare = (force: boolean): GroupWrite | null => {
    scheduled = false;
    if (!root) return null;
    if (!(mustWrite() || (force && dirty))) {
      if (dirty) deferredSteps += 1;
      return null;
    }
    const status: unknown = root.getSnapshot().status;
    if (!writableStatuses.has(String(status))) {
      if (mustWrite() && status === "stopped") {
        dirty = false;
        barrier = false;
        staged = [];
        throw new StoreError(
          `machine "${machineId}" was stopped before its last step was persisted: call persister.flush() before actor.stop()`,
        );
      }
      return null;
    }
    const raw = persistedMemo.persisted(root);
    // With checks on (tests, development), prove the snapshot built from reused parts is the actor's state.
    if (checkJson && JSON.stringify(raw) !== JSON.stringify(root.getPersistedSnapshot())) {
      throw new StoreError(
        `machine "${machineId}": its persisted snapshot was built from parts that changed; an actor's snapshot was mutated in place`,
      );
    }
    const persisted = persistedForm(raw);
    if (checkJson) assertJsonData(persisted, `the persisted snapshot of machine "${machineId}"`);
    const split = splitIntoRows(persisted);
    const rowPaths = new Set(split.map((row) => row.path));
    const liveRoot = root;
    const rows = split.map(({ path, value }) => {
      const json = memo.json(path, liveRoot, rowPaths, () => JSON.stringify(value));
      // With checks on (tests, development), prove the reused JSON is what the actor holds now.
      if (checkJson && json !== JSON.stringify(value)) {
        throw new StoreError(
          `machine "${machineId}": the row of actor "${path}" was reused although it changed; an actor's snapshot was mutated in place`,
        );
      }
      return { path, json };
    });
    const changed: ActorRow[] = [];
    const secretValues = [...secrets()];
    const sameSecrets =
      secretValues.length === searchedFor.length &&
      secretValues.every((value, index) => value === searchedFor[index]);
    for (const row of rows) {
      // Located in the whole snapshot, so the error names the path from the root.
      if (!(sameSecrets && searchedRows.get(row.path) === row.json)) {
        assertNoSecrets(machineId, row.json, persisted, secretValues);
      }
      if (lastRows.get(row.path) !== row.json) changed.push({ path: row.path, json: row.json });
    }
    searchedRows = new Map(rows.map((row) => [row.path, row.json]));
    searchedFor = secretValues;
    const nextRows = new Map(rows.map((row) => [row.path, row.json]));
    const removed = [...lastRows.keys()].filter((path) => !nextRows.has(path));
    const stagedNow = staged;
    staged = [];
    const wasDirty = dirty;
    dirty = false;
    barrier = false;
    const inputs = unlinkedInputs;
    unlinkedInputs = [];
    const identical = changed.length === 0 && removed.length === 0 && lastSeq !== undefined;
    if (identical && inputs.length === 0 && stagedNow.length === 0) {
      skippedIdentical += wasDirty ? 1 : 0;
      return null;
    }
    let seq = lastSeq;
    return {
      write: () => {
        if (!identical) seq = store.snapshots.putActorRows(machineId, machineVersion, changed, removed);
        if (seq !== undefined) store.journal.linkToSnapshot(inputs, seq);
        for (const entry of stagedNow) entry.write();
      },
      committed: () => {
        if (identical) skippedIdentical += wasDirty ? 1 : 0;
        else {
          lastRows = nextRows;
          lastSeq = seq;
          writes += 1;
        }
        for (const entry of stagedNow) entry.afterCommit();
      },
      failed: (error) => onError(error),
    };
  };

  const flush = (): number | undefined => {
    const write = prepare(true);
    if (!write) return lastSeq;
    store.transaction(() => write.write());
    write.committed();
    return lastSeq;
  };

  const member: CommitGroupMember = {
    prepareGroupWrite: () => prepare(false),
    reportError: (error) => onError(error),
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (group) {
      group.request(member);
      return;
    }
    queueMicrotask(() => {
      if (!scheduled) return;
      try {
        const write = prepare(false);
        if (!write) return;
        store.transaction(() => write.write());
        write.committed();
      } catch (error) {
        onError(error);
      }
    });
  };

  return {
    inspect: (event) => {
      // A stopping actor's last snapshot is not a state change of the agent.
      if (event.type === "@xstate.snapshot" && event.snapshot.status !== "stopped") dirty = true;
      if (detector?.isBarrier(event, root)) barrier = true;
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
    requireWrite: () => {
      barrier = true;
      schedule();
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
    get deferredSteps() {
      return deferredSteps;
    },
    get rowsSerialized() {
      return memo.serialized;
    },
    get rowsReused() {
      return memo.reused;
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}
