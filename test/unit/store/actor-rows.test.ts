import { afterEach, describe, expect, it } from "vitest";
import { type AnyActorRef, assign, createActor, setup, spawnChild, stopChild } from "xstate";
import {
  type AgentStore,
  assembleRows,
  createSnapshotPersister,
  openAgentStore,
  restoreLatestSnapshot,
  splitIntoRows,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";
import { rootMachine } from "./fixtures/test-machines.js";

const dirs = tempDirs();
const stores: AgentStore[] = [];
const actors: AnyActorRef[] = [];
afterEach(() => {
  for (const actor of actors.splice(0)) if (actor.getSnapshot().status === "active") actor.stop();
  for (const store of stores.splice(0)) store.close();
  dirs.cleanup();
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const open = (dataDir = dirs.make()) => {
  const store = openAgentStore({ dataDir, synchronous: "NORMAL" });
  stores.push(store);
  return store;
};
const seqOf = (store: AgentStore, machineId: string) =>
  Object.fromEntries(
    store.db
      .prepare("SELECT actor_path AS path, seq FROM actor_snapshots WHERE machine_id = ?")
      .all(machineId)
      .map((row) => [(row as { path: string }).path, (row as { seq: number }).seq]),
  );

/** A root whose child machine comes and goes. */
const parent = setup({
  types: {
    context: {} as { n: number },
    events: {} as { type: "ADD" } | { type: "DROP" } | { type: "BUMP" },
  },
  actors: { child: rootMachine },
}).createMachine({
  context: { n: 0 },
  on: {
    ADD: { actions: spawnChild("child", { id: "extra", systemId: "extra" }) },
    DROP: { actions: stopChild("extra") },
    BUMP: { actions: assign({ n: ({ context }) => context.n + 1 }) },
  },
});

describe("one row per actor (DESIGN §17)", () => {
  it("stores the root and each child machine in its own row and rewrites only the rows that changed", async () => {
    const store = open();
    const persister = createSnapshotPersister({ store, machineId: "root", machineVersion: "1" });
    const actor = createActor(rootMachine, { inspect: persister.inspect });
    actors.push(actor);
    persister.attach(actor);
    actor.start();
    await settle();
    const first = seqOf(store, "root");
    expect(Object.keys(first).sort()).toEqual(["", "counter"]);
    expect(JSON.parse(store.snapshots.latest("root")?.snapshotJson ?? "")).toEqual(
      JSON.parse(JSON.stringify(actor.getPersistedSnapshot())),
    );

    // Only the child moves: only its row is rewritten.
    actor.system.get("counter")?.send({ type: "TICK" });
    await settle();
    const second = seqOf(store, "root");
    expect(second[""]).toBe(first[""]);
    expect(second.counter).toBeGreaterThan(first.counter ?? 0);
    expect(store.snapshots.latest("root")?.seq).toBe(second.counter);

    // Both move: both rows, under one seq.
    actor.send({ type: "TICK" });
    await settle();
    const third = seqOf(store, "root");
    expect(third[""]).toBe(third.counter);
    expect(third[""]).toBeGreaterThan(second.counter ?? 0);

    // The rows put together restore the actor tree where it was.
    persister.flush();
    actor.stop();
    const restored = restoreLatestSnapshot(store.snapshots, "root", { current: "1" });
    const again = createActor(rootMachine, { snapshot: restored?.snapshot as never });
    actors.push(again);
    again.start();
    expect(again.getSnapshot().context.ticks).toBe(1);
    expect(again.system.get("counter")?.getSnapshot().context).toEqual({ n: 2 });
  });

  it("deletes the row of a child that is gone, and keeps history rows out of it", async () => {
    const store = open();
    const persister = createSnapshotPersister({ store, machineId: "parent", machineVersion: "1" });
    const actor = createActor(parent, { inspect: persister.inspect });
    actors.push(actor);
    persister.attach(actor);
    actor.start();
    actor.send({ type: "ADD" });
    await settle();
    expect(Object.keys(seqOf(store, "parent")).sort()).toEqual(["", "extra"]);
    actor.send({ type: "DROP" });
    await settle();
    expect(Object.keys(seqOf(store, "parent"))).toEqual([""]);
    expect(store.snapshots.list("parent")).toEqual([]);
  });

  it("reads a machine written before schema 7 from its history until it has rows", async () => {
    const store = open();
    const actor = createActor(rootMachine);
    actor.start();
    const legacy = JSON.stringify(actor.getPersistedSnapshot());
    actor.stop();
    const seq = store.snapshots.append({ machineId: "old", machineVersion: "1", snapshotJson: legacy });
    expect(store.snapshots.latest("old")).toMatchObject({ seq, snapshotJson: legacy });
    const persister = createSnapshotPersister({ store, machineId: "old", machineVersion: "1" });
    const resumed = createActor(rootMachine, {
      snapshot: JSON.parse(legacy),
      inspect: persister.inspect,
    });
    actors.push(resumed);
    persister.attach(resumed);
    resumed.start();
    resumed.send({ type: "TICK" });
    await settle();
    const latest = store.snapshots.latest("old");
    expect(latest?.seq).toBeGreaterThan(seq);
    expect(JSON.parse(latest?.snapshotJson ?? "").context.ticks).toBe(1);
  });

  it("splits and assembles without changing the snapshot, leaving promise and callback children inline", () => {
    const persisted = {
      status: "active",
      value: "x",
      context: { a: 1 },
      children: {
        lease: {
          src: "lease",
          systemId: "lease",
          snapshot: { status: "active", context: { b: 2 }, children: {} },
        },
        work: { src: "work", snapshot: { status: "active", input: { key: "k" } } },
      },
    };
    const rows = splitIntoRows(persisted).map(({ path, value }) => ({ path, json: JSON.stringify(value) }));
    expect(rows.map((row) => row.path)).toEqual(["", "lease"]);
    expect(JSON.parse(rows[0]?.json ?? "").children.lease.snapshot).toEqual({ $row: "lease" });
    expect(JSON.parse(assembleRows(rows, "m"))).toEqual(persisted);
    expect(() => assembleRows(rows.slice(0, 1), "m")).toThrow(/lacks the row of its child "lease"/);
  });
});
