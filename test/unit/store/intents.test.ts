import { afterEach, describe, expect, it } from "vitest";
import { type AgentStore, openAgentStore, StoreError } from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  dirs.cleanup();
});

describe("intents", () => {
  it("records an intent once per key and returns the stored row on repeat, also after a reopen", () => {
    const dataDir = dirs.make();
    let now = 100;
    store = openAgentStore({ dataDir, clock: () => now });
    const first = store.intents.record({
      key: "create-deployment:agent:1",
      kind: "create_deployment",
      payload: { dseq: "1001" },
    });
    expect(first.created).toBe(true);
    expect(first.intent).toMatchObject({
      state: "pending",
      payload: { dseq: "1001" },
      createdAt: 100,
      txHash: null,
    });

    store.close();
    now = 200;
    store = openAgentStore({ dataDir, clock: () => now });
    // After a crash the actor runs again with the same key; a fresh dseq must not replace the recorded one.
    const again = store.intents.record({
      key: "create-deployment:agent:1",
      kind: "create_deployment",
      payload: { dseq: "2002" },
    });
    expect(again.created).toBe(false);
    expect(again.intent).toEqual(first.intent);
    expect(store.db.prepare("SELECT count(*) FROM intents").pluck().get()).toBe(1);
  });

  it("keeps the signed transaction and moves pending → done, never done → failed", () => {
    let now = 1;
    store = openAgentStore({ dataDir: dirs.make(), clock: () => now });
    store.intents.record({ key: "k1", kind: "create_lease", payload: { bid: "b" } });
    store.intents.record({ key: "k2", kind: "escrow_deposit", payload: {} });
    now = 2;
    const bytes = new Uint8Array([10, 20, 30]);
    const attached = store.intents.attachTx("k1", { hash: "ABCDEF", bytes });
    expect(attached.txHash).toBe("ABCDEF");
    expect(attached.txBytes).toEqual(bytes);
    expect(store.intents.pending().map((intent) => intent.key)).toEqual(["k1", "k2"]);
    expect(store.intents.pending("escrow_deposit").map((intent) => intent.key)).toEqual(["k2"]);

    now = 3;
    expect(store.intents.complete("k1")).toMatchObject({ state: "done", txHash: "ABCDEF", updatedAt: 3 });
    expect(store.intents.fail("k1", "tx already in mempool")).toMatchObject({ state: "done", error: null });
    expect(store.intents.fail("k2", "insufficient funds")).toMatchObject({
      state: "failed",
      error: "insufficient funds",
    });
    expect(store.intents.complete("k2", { txHash: "FEED" })).toMatchObject({
      state: "done",
      txHash: "FEED",
      error: null,
    });
    expect(store.intents.pending()).toEqual([]);
  });

  it("refuses a key reused for another kind of effect and unknown keys", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    store.intents.record({ key: "k", kind: "create_lease" });
    expect(() => store!.intents.record({ key: "k", kind: "close_lease" })).toThrow(
      /already belongs to a create_lease effect/,
    );
    expect(() => store!.intents.complete("missing")).toThrow(StoreError);
    expect(store.intents.get("missing")).toBeUndefined();
  });
});
