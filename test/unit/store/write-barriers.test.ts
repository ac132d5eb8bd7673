import { afterEach, describe, expect, it } from "vitest";
import { type AnyActorRef, assign, createActor, fromPromise, setup } from "xstate";
import {
  type AgentStore,
  type CommitGroup,
  createCommitGroup,
  createSnapshotPersister,
  openAgentStore,
  type SnapshotPersister,
  StoreError,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
const stores: AgentStore[] = [];
const actors: AnyActorRef[] = [];
afterEach(() => {
  for (const actor of actors.splice(0)) if (actor.getSnapshot().status === "active") actor.stop();
  for (const store of stores.splice(0)) store.close();
  dirs.cleanup();
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Reads (`read`, read-only) and acts (`work`, an effect keyed by the reads seen so far); TICK only counts. */
const machine = setup({
  types: {
    context: {} as { ticks: number; reading: number | null; done: string[] },
    events: {} as { type: "TICK" } | { type: "READ" } | { type: "WORK" } | { type: "FINISH" },
  },
  actors: {
    read: fromPromise<number>(async () => 0),
    work: fromPromise<string, { key: string }>(async () => ""),
  },
}).createMachine({
  context: { ticks: 0, reading: null, done: [] },
  initial: "idle",
  states: {
    idle: {
      on: {
        TICK: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) },
        READ: "reading",
        WORK: "working",
        FINISH: "finished",
      },
    },
    reading: {
      invoke: {
        src: "read",
        onDone: { target: "idle", actions: assign({ reading: ({ event }) => event.output }) },
      },
    },
    working: {
      invoke: {
        src: "work",
        input: ({ context }) => ({ key: `work:${context.ticks}` }),
        onDone: {
          target: "idle",
          actions: assign({ done: ({ context, event }) => [...context.done, event.output] }),
        },
      },
    },
    finished: { type: "final" },
  },
});

interface Run {
  actor: ReturnType<typeof createActor<typeof machine>>;
  persister: SnapshotPersister;
  /** The stored state each `work` call saw when it resumed after its first await. */
  seenByWork: Array<{ value: unknown; ticks: number } | null>;
  errors: unknown[];
}

function start(store: AgentStore, machineId = "m", group?: CommitGroup, reading = 42): Run {
  const seenByWork: Run["seenByWork"] = [];
  const errors: unknown[] = [];
  const persister = createSnapshotPersister({
    store,
    machineId,
    machineVersion: "1",
    barriers: { readOnly: ["read"] },
    persistedForm: (persisted) => {
      const form = persisted as { context: Record<string, unknown> };
      return { ...form, context: { ...form.context, reading: null } };
    },
    ...(group ? { commitGroup: group } : {}),
    onError: (error) => errors.push(error),
  });
  const actor = createActor(
    machine.provide({
      actors: {
        read: fromPromise<number>(async () => reading),
        work: fromPromise<string, { key: string }>(async ({ input }) => {
          await Promise.resolve();
          seenByWork.push(stored(store, machineId));
          return input.key;
        }),
      },
    }),
    { inspect: persister.inspect },
  );
  persister.attach(actor);
  actor.start();
  actors.push(actor);
  return { actor, persister, seenByWork, errors };
}

function stored(
  store: AgentStore,
  machineId = "m",
): { value: unknown; ticks: number; reading: unknown } | null {
  const row = store.snapshots.latest(machineId);
  if (!row) return null;
  const snapshot = JSON.parse(row.snapshotJson) as {
    value: unknown;
    context: { ticks: number; reading: unknown };
  };
  return { value: snapshot.value, ticks: snapshot.context.ticks, reading: snapshot.context.reading };
}

const open = () => {
  const store = openAgentStore({ dataDir: dirs.make(), synchronous: "NORMAL", snapshotsToKeep: 50 });
  stores.push(store);
  return store;
};

describe("a persister that writes at barriers (DESIGN §17)", () => {
  it("leaves steps that only count or read in memory, and writes them with the next effect before it resumes", async () => {
    const store = open();
    const run = start(store);
    await settle();
    const first = run.persister.writes;
    for (let i = 0; i < 3; i += 1) run.actor.send({ type: "TICK" });
    run.actor.send({ type: "READ" });
    await settle();
    expect(run.actor.getSnapshot().context).toMatchObject({ ticks: 3, reading: 42 });
    // No barrier: nothing written; the steps are counted as deferred.
    expect(run.persister.writes).toBe(first);
    expect(stored(store)?.ticks).toBe(0);
    // One settled batch for the three counts and the read's start, one for the read's result.
    expect(run.persister.deferredSteps).toBe(2);

    run.actor.send({ type: "WORK" });
    await settle();
    // The effect resumed after its first await and found its own state, with every deferred step, stored.
    expect(run.seenByWork).toEqual([{ value: "working", ticks: 3, reading: null }]);
    expect(run.persister.writes).toBe(first + 1);
    expect(run.errors).toEqual([]);
  });

  it("writes when an input is journaled, when the host requires it, when flushed, and when the root finishes", async () => {
    const store = open();
    const run = start(store);
    await settle();
    run.actor.send({ type: "TICK" });
    await settle();
    expect(stored(store)?.ticks).toBe(0);

    run.persister.recordInput({ source: "test", type: "TICK" });
    run.actor.send({ type: "TICK" });
    await settle();
    expect(stored(store)?.ticks).toBe(2);

    run.actor.send({ type: "TICK" });
    run.persister.requireWrite();
    await settle();
    expect(stored(store)?.ticks).toBe(3);

    run.actor.send({ type: "TICK" });
    await settle();
    expect(stored(store)?.ticks).toBe(3);
    run.persister.flush();
    expect(stored(store)?.ticks).toBe(4);

    run.actor.send({ type: "FINISH" });
    await settle();
    expect(stored(store)?.value).toBe("finished");
    expect(run.errors).toEqual([]);
  });

  it("blanks volatile readings in the written form, so a barrier after unchanged readings is skipped", async () => {
    const store = open();
    const run = start(store);
    await settle();
    run.persister.flush();
    const written = run.persister.writes;
    run.actor.send({ type: "READ" });
    await settle();
    expect(run.actor.getSnapshot().context.reading).toBe(42);
    run.persister.requireWrite();
    await settle();
    expect(run.persister.writes).toBe(written);
    expect(run.persister.skippedIdentical).toBe(1);
    expect(stored(store)?.reading).toBeNull();
  });

  it("drops steps that reached no barrier when stopped unflushed, but reports a lost barrier", async () => {
    const store = open();
    const quiet = start(store, "quiet");
    await settle();
    quiet.actor.send({ type: "TICK" });
    await settle();
    quiet.actor.stop();
    await settle();
    expect(quiet.errors).toEqual([]);
    expect(stored(store, "quiet")?.ticks).toBe(0);

    const lost = start(store, "lost");
    await settle();
    lost.actor.send({ type: "TICK" });
    lost.persister.requireWrite();
    lost.actor.stop();
    await settle();
    expect(lost.errors).toHaveLength(1);
    expect(lost.errors[0]).toBeInstanceOf(StoreError);
  });

  it("resumes from the last barrier after a crash and derives the read-only steps again", async () => {
    const dataDir = dirs.make();
    const store = openAgentStore({ dataDir, synchronous: "NORMAL" });
    stores.push(store);
    const run = start(store);
    run.actor.send({ type: "WORK" });
    await settle();
    run.actor.send({ type: "TICK" });
    run.actor.send({ type: "READ" });
    await settle();
    // A crash: the process dies without a flush. The store holds the last barrier's state.
    run.actor.stop();
    store.close();
    stores.pop();
    const reopened = openAgentStore({ dataDir, synchronous: "NORMAL" });
    stores.push(reopened);
    const row = reopened.snapshots.latest("m");
    const snapshot = JSON.parse(row?.snapshotJson ?? "{}");
    expect(snapshot.value).toBe("working");
    const restored = createActor(machine.provide({ actors: { read: fromPromise(async () => 7) } }), {
      snapshot,
    });
    actors.push(restored);
    restored.start();
    await settle();
    // The effect is re-run with the same key it had (at-least-once), and nothing after it is invented.
    expect(restored.getSnapshot().context).toMatchObject({ ticks: 0, done: [""] });
    restored.send({ type: "READ" });
    await settle();
    expect(restored.getSnapshot().context.reading).toBe(7);
  });
});

describe("group commit (DESIGN §17)", () => {
  it("writes every persister that reached a barrier in the same tick in one transaction, before any effect resumes", async () => {
    const store = open();
    const group = createCommitGroup(store);
    const runs = ["a", "b", "c"].map((id) => start(store, id, group));
    await settle();
    const commitsAtStart = group.commits;
    expect(commitsAtStart).toBe(1);
    expect(group.memberWrites).toBe(3);

    for (const run of runs) run.actor.send({ type: "TICK" });
    await settle();
    // Counting is not a barrier: no transaction.
    expect(group.commits).toBe(commitsAtStart);

    for (const run of runs) run.actor.send({ type: "WORK" });
    await settle();
    expect(group.commits).toBe(commitsAtStart + 1);
    expect(group.memberWrites).toBe(6);
    for (const [index, run] of runs.entries()) {
      expect(run.seenByWork, `persister ${index}`).toEqual([{ value: "working", ticks: 1, reading: null }]);
      expect(run.errors).toEqual([]);
    }
  });

  it("reports a failed group transaction to every member in it and writes none of them", async () => {
    const store = open();
    const group = createCommitGroup(store);
    const runs = ["a", "b"].map((id) => start(store, id, group));
    await settle();
    const before = runs.map((_, index) => stored(store, ["a", "b"][index]));
    store.db.exec(
      `CREATE TRIGGER refuse_insert BEFORE INSERT ON actor_snapshots BEGIN SELECT RAISE(ABORT, 'disk full'); END;
       CREATE TRIGGER refuse_update BEFORE UPDATE ON actor_snapshots BEGIN SELECT RAISE(ABORT, 'disk full'); END;`,
    );
    for (const run of runs) {
      run.actor.send({ type: "TICK" });
      run.persister.requireWrite();
    }
    await settle();
    for (const run of runs) expect(String(run.errors[0])).toMatch(/disk full/);
    expect(runs.map((_, index) => stored(store, ["a", "b"][index]))).toEqual(before);
  });
});
