import { afterEach, describe, expect, it } from "vitest";
import { createRedactor } from "../../../src/logging/index.js";
import { type AgentStore, NotJsonDataError, openAgentStore } from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  dirs.cleanup();
});

describe("journal", () => {
  it("appends inputs in order with source, target, type, payload and time", () => {
    store = openAgentStore({ dataDir: dirs.make(), clock: () => 5000 });
    const first = store.journal.append({
      source: "http",
      type: "AGENT.SHUTDOWN",
      payload: { terminate: true },
    });
    const second = store.journal.append({
      source: "chain",
      target: "lease",
      type: "LEASE.RECLAIMING",
      payload: { dseq: "42", deadline: 1234 },
      receivedAt: 4000,
    });
    const third = store.journal.append({ source: "timer", target: "health", type: "HEALTH.CHECK_DUE" });
    expect(second.id).toBeGreaterThan(first.id);
    expect(store.journal.list()).toEqual([
      {
        id: first.id,
        source: "http",
        target: "root",
        type: "AGENT.SHUTDOWN",
        payload: { terminate: true },
        receivedAt: 5000,
        snapshotSeq: null,
      },
      {
        id: second.id,
        source: "chain",
        target: "lease",
        type: "LEASE.RECLAIMING",
        payload: { dseq: "42", deadline: 1234 },
        receivedAt: 4000,
        snapshotSeq: null,
      },
      {
        id: third.id,
        source: "timer",
        target: "health",
        type: "HEALTH.CHECK_DUE",
        payload: null,
        receivedAt: 5000,
        snapshotSeq: null,
      },
    ]);
    expect(store.journal.list({ afterId: first.id, limit: 1 }).map((entry) => entry.id)).toEqual([second.id]);
  });

  it("accepts only JSON data as payload", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const payload of [
      { at: new Date() },
      { n: Number.NaN },
      { big: 1n },
      { fn: () => 1 },
      cyclic,
      new Map(),
      [undefined],
    ]) {
      expect(() => store!.journal.append({ source: "http", type: "X", payload })).toThrow(NotJsonDataError);
    }
    expect(() => store!.journal.append({ source: "http", type: "X", payload: { at: new Date() } })).toThrow(
      "journal payload of X must be plain JSON data, but $.at is a Date object",
    );
    expect(store.journal.list()).toEqual([]);
  });

  it("passes payloads through the redactor before writing", () => {
    const secret = "correct-horse-battery-staple-passphrase";
    store = openAgentStore({ dataDir: dirs.make(), redactor: createRedactor(() => [secret]) });
    store.journal.append({
      source: "http",
      type: "KEYS.IMPORT",
      payload: {
        note: `the passphrase is ${secret}`,
        password: "hunter2hunter2",
        nested: [{ value: secret }],
      },
    });
    const raw = store.db.prepare("SELECT payload_json FROM journal").pluck().get() as string;
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain("hunter2");
    expect(store.journal.list()[0]?.payload).toEqual({
      note: "the passphrase is [redacted]",
      password: "[redacted]",
      nested: [{ value: "[redacted]" }],
    });
  });

  it("links entries to a snapshot once and refuses deletes and rewrites", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const entry = store.journal.append({ source: "http", type: "X" });
    store.journal.linkToSnapshot([entry.id], 7);
    store.journal.linkToSnapshot([entry.id], 9);
    expect(store.journal.list()[0]?.snapshotSeq).toBe(7);
    expect(() => store!.db.prepare("DELETE FROM journal").run()).toThrow(/append-only/);
    expect(() => store!.db.prepare("UPDATE journal SET type = 'Y'").run()).toThrow(/append-only/);
    expect(() => store!.db.prepare("UPDATE journal SET snapshot_seq = 9").run()).toThrow(/append-only/);
    expect(store.journal.list()).toHaveLength(1);
  });
});
