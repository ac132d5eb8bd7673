import { afterEach, describe, expect, it } from "vitest";
import {
  type AgentStore,
  closeDatabase,
  openAgentStore,
  openDatabase,
  StoreError,
  schemaMigrations,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  dirs.cleanup();
});

const addresses = (name: string) => ({ akash: `akash1${name}`, nostr: `npub1${name}` });

describe("the family registry", () => {
  it("registers children born at derivation indices; nextIndex is one above the highest", () => {
    let now = 1;
    store = openAgentStore({ dataDir: dirs.make(), clock: () => now });
    expect(store.children.nextIndex()).toBe(0);
    const born = store.children.register({
      index: 0,
      id: "agent-a",
      addresses: addresses("a"),
      role: "replica",
    });
    expect(born).toEqual({
      id: "agent-a",
      index: 0,
      addresses: { akash: "akash1a", nostr: "npub1a" },
      role: "replica",
      region: null,
      dseq: null,
      provider: null,
      generation: 0,
      state: "born",
      budget: null,
      funded: {},
      lastHeartbeatAt: null,
      createdAt: 1,
      updatedAt: 1,
    });
    expect(store.children.nextIndex()).toBe(1);
    now = 2;
    store.children.register({
      index: 4,
      id: "agent-b",
      addresses: { ...addresses("b"), cronos: "0xabc" },
      role: "specialized",
      region: "eu-west",
    });
    expect(store.children.nextIndex()).toBe(5);
    expect(store.children.all().map((child) => [child.index, child.id])).toEqual([
      [0, "agent-a"],
      [4, "agent-b"],
    ]);
    expect(store.children.byIndex(4)?.addresses).toEqual({
      akash: "akash1b",
      nostr: "npub1b",
      cronos: "0xabc",
    });
    expect(store.children.byId("agent-x")).toBeUndefined();
  });

  it("is idempotent on the index: a birth run again gets its row back unchanged", () => {
    let now = 1;
    store = openAgentStore({ dataDir: dirs.make(), clock: () => now });
    const child = { index: 0, id: "agent-a", addresses: addresses("a"), role: "replica" } as const;
    store.children.register(child);
    now = 5;
    store.children.setState("agent-a", "funded");
    now = 9;
    expect(store.children.register(child)).toMatchObject({ state: "funded", createdAt: 1, updatedAt: 5 });
    expect(store.children.all()).toHaveLength(1);
    expect(() => store!.children.register({ ...child, id: "agent-other" })).toThrow(
      /index 0 is already "agent-a"/,
    );
    expect(() => store!.children.register({ ...child, index: 1 })).toThrow(StoreError);
  });

  it("records state, lease, budget and heartbeats; a late heartbeat never moves time back", () => {
    let now = 1;
    store = openAgentStore({ dataDir: dirs.make(), clock: () => now });
    store.children.register({ index: 0, id: "agent-a", addresses: addresses("a"), role: "replica" });
    now = 2;
    store.children.setBudget("agent-a", {
      limitUact: "50000000",
      feeLimitUakt: "5000000",
      expiresAt: Date.UTC(2026, 5, 1),
    });
    store.children.setState("agent-a", "deploying");
    now = 3;
    store.children.recordLease("agent-a", { dseq: "77", provider: "akash1prov", generation: 1 });
    store.children.setState("agent-a", "active");
    store.children.noteHeartbeat("agent-a", 500);
    expect(store.children.noteHeartbeat("agent-a", 400)).toMatchObject({
      state: "active",
      dseq: "77",
      provider: "akash1prov",
      generation: 1,
      budget: { limitUact: "50000000", feeLimitUakt: "5000000", expiresAt: Date.UTC(2026, 5, 1) },
      lastHeartbeatAt: 500,
      updatedAt: 3,
    });
    expect(store.children.list({ state: "active" }).map((child) => child.id)).toEqual(["agent-a"]);
    expect(store.children.list({ state: "silent" })).toEqual([]);
  });

  it("gives the family's placements for diversity scoring: active children with a provider only", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const child = (index: number, state: "active" | "deploying" | "retired", provider?: string) => {
      const id = `agent-${index}`;
      store!.children.register({ index, id, addresses: addresses(id), role: "replica", region: "eu", state });
      if (provider) store!.children.recordLease(id, { dseq: "9", provider, generation: 0 });
    };
    child(0, "active", "akash1provA");
    child(1, "deploying");
    child(2, "retired", "akash1provD");
    child(3, "active");
    expect(store.children.placements()).toEqual([{ provider: "akash1provA", region: "eu" }]);
  });

  it("refuses bad input naming the field", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const good = { index: 0, id: "agent-a", addresses: addresses("a"), role: "replica" };
    expect(() => store!.children.register({ ...good, index: -1 })).toThrow(/child index must be an integer/);
    expect(() => store!.children.register({ ...good, addresses: { akash: "akash1a", nostr: "" } })).toThrow(
      /nostr address/,
    );
    expect(() => store!.children.register({ ...good, state: "dead" as "born" })).toThrow(
      /child state must be one of/,
    );
    store.children.register(good);
    expect(() => store!.children.setState("agent-a", "dead" as "born")).toThrow(TypeError);
    expect(() => store!.children.setState("agent-9", "active")).toThrow(StoreError);
    expect(() =>
      store!.children.setBudget("agent-a", { limitUact: "1.5", feeLimitUakt: "1", expiresAt: 1 }),
    ).toThrow(/budget.limitUact/);
    expect(() =>
      store!.children.recordLease("agent-a", { dseq: "1", provider: "akash1p", generation: -1 }),
    ).toThrow(/generation/);
    expect(() => store!.children.addFunding("agent-a", "uact", "1.5")).toThrow(RangeError);
    expect(store.children.addFunding("agent-a", "ucro", 7n).funded).toEqual({ ucro: "7" });
  });
});

describe("schema migration 8", () => {
  it("keeps children registered before it readable: no index, generation 0, no budget", () => {
    const dataDir = dirs.make();
    const v7 = openDatabase({ dataDir, migrations: schemaMigrations.slice(0, 7) });
    const insert = v7.db.prepare(
      `INSERT INTO children (id, addresses_json, role, region, dseq, provider, funded_json, state, last_heartbeat_at, created_at, updated_at)
       VALUES (?, '{"akash":"akash1old"}', 'replica', NULL, '5', 'akash1p', '{"uact":"10"}', ?, 40, 1, 2)`,
    );
    insert.run("old-active", "active");
    insert.run("old-odd", "relay-replica");
    closeDatabase(v7.db);

    store = openAgentStore({ dataDir });
    expect(store.migration).toMatchObject({ from: 7, to: 9 });
    expect(store.children.byId("old-active")).toEqual({
      id: "old-active",
      index: null,
      addresses: { akash: "akash1old" },
      role: "replica",
      region: null,
      dseq: "5",
      provider: "akash1p",
      generation: 0,
      state: "active",
      budget: null,
      funded: { uact: "10" },
      lastHeartbeatAt: 40,
      createdAt: 1,
      updatedAt: 2,
    });
    expect(store.children.byId("old-odd")?.state).toBe("failed");
    expect(store.children.nextIndex()).toBe(0);
    store.children.register({ index: 0, id: "agent-new", addresses: addresses("new"), role: "replica" });
    expect(store.children.nextIndex()).toBe(1);
  });
});
