import { afterEach, describe, expect, it } from "vitest";
import { type AnyActorRef, createActor, fromPromise, type InspectionEvent } from "xstate";
import {
  type AgentStore,
  createSnapshotPersister,
  NotJsonDataError,
  openAgentStore,
  restoreLatestSnapshot,
  SecretInSnapshotError,
  type SnapshotPersisterOptions,
  StoreError,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";
import { rootMachine, type WorkInput } from "./fixtures/test-machines.js";

const dirs = tempDirs();
const stores: AgentStore[] = [];
const actors: AnyActorRef[] = [];
afterEach(() => {
  for (const actor of actors.splice(0)) actor.stop();
  for (const store of stores.splice(0)) store.close();
  dirs.cleanup();
});

/** Lets every queued microtask and promise continuation run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function open(dataDir = dirs.make()): AgentStore {
  const store = openAgentStore({ dataDir, snapshotsToKeep: 50 });
  stores.push(store);
  return store;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

interface Started {
  actor: ReturnType<typeof createActor<typeof rootMachine>>;
  persister: ReturnType<typeof createSnapshotPersister>;
  snapshotEvents: () => number;
  workCalls: string[];
  errors: unknown[];
}

function start(
  store: AgentStore,
  options: {
    work?: (input: WorkInput) => Promise<string>;
    snapshot?: ReturnType<typeof restoreLatestSnapshot>;
    persister?: Partial<SnapshotPersisterOptions>;
  } = {},
): Started {
  const workCalls: string[] = [];
  const errors: unknown[] = [];
  let snapshotEvents = 0;
  const persister = createSnapshotPersister({
    store,
    machineId: "root",
    machineVersion: "1",
    onError: (error) => errors.push(error),
    ...options.persister,
  });
  const work = options.work ?? (async () => "done");
  const machine = rootMachine.provide({
    actors: {
      work: fromPromise<string, WorkInput>(({ input }) => {
        workCalls.push(input.key);
        return work(input);
      }),
    },
  });
  const actor = createActor(machine, {
    snapshot: options.snapshot?.snapshot,
    inspect: (event: InspectionEvent) => {
      if (event.type === "@xstate.snapshot") snapshotEvents += 1;
      persister.inspect(event);
    },
  });
  persister.attach(actor);
  actor.start();
  actors.push(actor);
  return { actor, persister, snapshotEvents: () => snapshotEvents, workCalls, errors };
}

const latest = (store: AgentStore) => {
  const row = store.snapshots.latest("root");
  if (!row) throw new Error("no snapshot persisted");
  return {
    seq: row.seq,
    snapshot: JSON.parse(row.snapshotJson) as {
      status: string;
      value: unknown;
      context: { ticks: number; steps: number; result: string | null; note: string };
      children: Record<
        string,
        { src: string; systemId?: string; snapshot: { context?: { n: number }; input?: unknown } }
      >;
    },
  };
};

describe("snapshot persister", () => {
  it("persists the initial state of the root and its spawned child", async () => {
    const store = open();
    const { persister } = start(store);
    await settle();
    expect(persister.writes).toBe(1);
    const { snapshot } = latest(store);
    expect(snapshot.value).toBe("idle");
    expect(snapshot.children.counter).toMatchObject({
      src: "counter",
      systemId: "counter",
      snapshot: { context: { n: 0 } },
    });
  });

  it("persists a step in which only a child changed (the root's subscribe does not fire)", async () => {
    const store = open();
    const { actor, persister } = start(store);
    await settle();
    let rootNotifications = 0;
    actor.subscribe(() => {
      rootNotifications += 1;
    });
    const writesBefore = persister.writes;

    actor.system.get("counter")!.send({ type: "TICK" });
    await settle();

    expect(rootNotifications).toBe(0);
    expect(persister.writes).toBe(writesBefore + 1);
    expect(latest(store).snapshot.children.counter?.snapshot.context).toEqual({ n: 1 });
  });

  it("serializes only the actors that changed, and catches a snapshot mutated in place", async () => {
    const store = open();
    const { actor, persister, errors } = start(store);
    await settle();
    const serializedBefore = persister.rowsSerialized;
    const reusedBefore = persister.rowsReused;

    // Only the child steps: its row is serialized, the root's JSON is reused.
    actor.system.get("counter")!.send({ type: "TICK" });
    await settle();
    expect(persister.rowsSerialized - serializedBefore).toBe(1);
    expect(persister.rowsReused - reusedBefore).toBe(1);
    expect(latest(store).snapshot.children.counter?.snapshot.context).toEqual({ n: 1 });

    // A context changed behind XState's back keeps its snapshot object: with checks on, the reused
    // row is compared with the actor's state and the write is refused, naming the actor.
    (actor.getSnapshot().context as { note: string }).note = "mutated";
    actor.system.get("counter")!.send({ type: "TICK" });
    await settle();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/was mutated in place/);
  });

  it("writes once per step however many actors and microsteps moved in it", async () => {
    const store = open();
    const { actor, persister, snapshotEvents } = start(store);
    await settle();
    const writesBefore = persister.writes;
    const eventsBefore = snapshotEvents();

    // BURST: three sends to the child, then two eventless transitions in the root.
    actor.send({ type: "BURST" });
    await settle();
    expect(snapshotEvents() - eventsBefore).toBeGreaterThanOrEqual(4);
    expect(persister.writes).toBe(writesBefore + 1);
    const { snapshot } = latest(store);
    expect(snapshot.value).toBe("idle");
    expect(snapshot.context.steps).toBe(2);
    expect(snapshot.children.counter?.snapshot.context).toEqual({ n: 3 });

    // Several inputs handled in one synchronous turn settle as one step.
    actor.send({ type: "TICK" });
    actor.send({ type: "TICK" });
    actor.system.get("counter")!.send({ type: "TICK" });
    await settle();
    expect(persister.writes).toBe(writesBefore + 2);
    expect(latest(store).snapshot.context.ticks).toBe(2);
    expect(latest(store).snapshot.children.counter?.snapshot.context).toEqual({ n: 6 });
  });

  it("makes a step durable before an actor it started resumes after its first await", async () => {
    const store = open();
    let seenByWork: unknown;
    start(store, {
      work: async () => {
        await Promise.resolve();
        seenByWork = latest(store).snapshot.value;
        return "ok";
      },
    }).actor.send({ type: "WORK" });
    await settle();
    expect(seenByWork).toBe("working");
    expect(latest(store).snapshot).toMatchObject({ value: "idle", context: { result: "ok" } });
  });

  it("skips identical snapshots but still links their inputs, and flush() writes synchronously", async () => {
    const store = open();
    const { actor, persister } = start(store);
    await settle();
    const seq = persister.lastSeq;

    const noop = persister.recordInput({ source: "http", type: "NOOP" });
    actor.send({ type: "NOOP" });
    await settle();
    expect(persister.writes).toBe(1);
    expect(persister.skippedIdentical).toBe(1);

    const tick = persister.recordInput({ source: "timer", type: "TICK", payload: { at: 5 } });
    actor.send({ type: "TICK" });
    const flushed = persister.flush();
    expect(flushed).toBeGreaterThan(seq!);
    expect(latest(store).seq).toBe(flushed);
    expect(latest(store).snapshot.context.ticks).toBe(1);
    await settle();
    expect(persister.writes).toBe(2);

    expect(store.journal.list().map((entry) => [entry.type, entry.snapshotSeq])).toEqual([
      ["NOOP", seq],
      ["TICK", flushed],
    ]);
    expect([noop.snapshotSeq, tick.snapshotSeq]).toEqual([null, null]);
  });

  it("restores from the database into a new actor that carries on, re-running an in-flight promise with its key", async () => {
    const dataDir = dirs.make();
    const store = open(dataDir);
    const hang = deferred<string>();
    const first = start(store, { work: () => hang.promise });
    first.actor.send({ type: "TICK" });
    first.actor.send({ type: "TICK" });
    first.actor.system.get("counter")!.send({ type: "TICK" });
    first.actor.send({ type: "WORK" });
    await settle();
    expect(first.workCalls).toEqual(["work-2"]);
    expect(latest(store).snapshot.children.work).toMatchObject({
      src: "work",
      systemId: "work",
      snapshot: { input: { key: "work-2" } },
    });
    // The process dies here: no flush, no stop.
    store.close();

    const reopened = open(dataDir);
    const restored = restoreLatestSnapshot(reopened.snapshots, "root", { current: "1" });
    expect(restored?.snapshot).toMatchObject({ value: "working" });
    const second = start(reopened, { snapshot: restored, work: async (input) => `result-for-${input.key}` });
    await settle();

    expect(second.workCalls).toEqual(["work-2"]);
    expect(second.actor.getSnapshot().value).toBe("idle");
    expect(second.actor.getSnapshot().context).toMatchObject({ ticks: 2, result: "result-for-work-2" });
    const counter = second.actor.system.get("counter")!;
    expect(counter.getSnapshot().context).toEqual({ n: 3 });

    second.actor.send({ type: "TICK" });
    await settle();
    expect(counter.getSnapshot().context).toEqual({ n: 4 });
    const { snapshot } = latest(reopened);
    expect(snapshot.context).toMatchObject({ ticks: 3, result: "result-for-work-2" });
    expect(snapshot.children.counter?.snapshot.context).toEqual({ n: 4 });
    expect(snapshot.children.work).toBeUndefined();
  });

  it("does not rewrite an unchanged restored state on start", async () => {
    const dataDir = dirs.make();
    const store = open(dataDir);
    const first = start(store);
    first.actor.send({ type: "TICK" });
    await settle();
    const before = latest(store).seq;
    store.close();

    const reopened = open(dataDir);
    const second = start(reopened, {
      snapshot: restoreLatestSnapshot(reopened.snapshots, "root", { current: "1" }),
    });
    await settle();
    expect(second.persister.writes).toBe(0);
    expect(second.persister.lastSeq).toBe(before);
    expect(latest(reopened).seq).toBe(before);
  });

  it("refuses to write a snapshot that contains a secret, naming where it is but not the secret", async () => {
    const store = open();
    const secret = 'abandon-ability-"able"-about';
    const { actor, persister, errors } = start(store, { persister: { secrets: () => ["short", secret] } });
    await settle();
    const seq = persister.lastSeq;

    actor.send({ type: "NOTE", text: `remember ${secret}` });
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SecretInSnapshotError);
    expect((errors[0] as Error).message).toContain("$.context.note");
    expect((errors[0] as Error).message).not.toContain("abandon");
    expect(latest(store).seq).toBe(seq);
    expect(
      store.db
        .prepare(
          "SELECT (SELECT count(*) FROM snapshots WHERE snapshot_json LIKE '%abandon%') + (SELECT count(*) FROM actor_snapshots WHERE snapshot_json LIKE '%abandon%')",
        )
        .pluck()
        .get(),
    ).toBe(0);
    expect(() => persister.flush()).toThrow(SecretInSnapshotError);

    // A short "secret" is ignored rather than matching ordinary text.
    actor.send({ type: "NOTE", text: "a short note" });
    await settle();
    expect(latest(store).snapshot.context.note).toBe("a short note");
  });

  it("refuses a snapshot that is not JSON data when the check is on, and writes it when off", async () => {
    const checked = start(open());
    await settle();
    checked.actor.send({ type: "SET_DATE" });
    await settle();
    expect(checked.errors[0]).toBeInstanceOf(NotJsonDataError);
    expect((checked.errors[0] as Error).message).toContain("$.context.when is a Date object");
    expect(checked.persister.writes).toBe(1);

    const unchecked = start(open(), { persister: { checkJson: false } });
    await settle();
    unchecked.actor.send({ type: "SET_DATE" });
    await settle();
    expect(unchecked.errors).toEqual([]);
    expect(unchecked.persister.writes).toBe(2);
  });

  it("reports a step lost to actor.stop() without flush, and persists nothing for the stop itself", async () => {
    const store = open();
    const clean = start(store);
    await settle();
    clean.actor.send({ type: "TICK" });
    clean.persister.flush();
    clean.actor.stop();
    await settle();
    expect(clean.errors).toEqual([]);
    expect(latest(store).snapshot).toMatchObject({ status: "active", context: { ticks: 1 } });

    const hasty = start(open());
    await settle();
    hasty.actor.send({ type: "TICK" });
    hasty.actor.stop();
    await settle();
    expect(hasty.errors).toHaveLength(1);
    expect(hasty.errors[0]).toBeInstanceOf(StoreError);
    expect((hasty.errors[0] as Error).message).toMatch(/call persister.flush\(\) before actor.stop\(\)/);
  });

  it("serves only one root actor", () => {
    const store = open();
    const persister = createSnapshotPersister({ store, machineId: "root", machineVersion: "1" });
    const one = createActor(rootMachine, { inspect: persister.inspect });
    persister.attach(one);
    persister.attach(one);
    expect(() => persister.attach(createActor(rootMachine))).toThrow(/serves one root actor/);
  });
});
