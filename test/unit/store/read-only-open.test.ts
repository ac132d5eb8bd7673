import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  closeDatabase,
  openAgentStore,
  openDatabase,
  SchemaTooNewError,
  StoreError,
  schemaMigrations,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const addresses = { akash: "akash1a", nostr: "npub1a" };

describe("a read-only store", () => {
  it("reads what a running agent writes, beside it, and cannot write", () => {
    const dataDir = dirs.make();
    const writer = openAgentStore({ dataDir });
    writer.children.register({ index: 0, id: "agent-a", addresses, role: "replica" });
    const reader = openAgentStore({ dataDir, readOnly: true });
    try {
      expect(reader.migration).toEqual({ from: 9, to: 9, applied: [] });
      expect(reader.children.all().map((child) => child.id)).toEqual(["agent-a"]);
      writer.children.register({ index: 1, id: "agent-b", addresses, role: "replica" });
      expect(reader.children.all().map((child) => child.id)).toEqual(["agent-a", "agent-b"]);
      expect(() => reader.children.setState("agent-a", "active")).toThrow(/readonly/);
    } finally {
      reader.close();
      writer.close();
    }
    reader.close();
  });

  it("creates nothing and migrates nothing: a missing or older database is refused, naming the fix", () => {
    const nowhere = join(dirs.make(), "nowhere");
    expect(() => openAgentStore({ dataDir: nowhere, readOnly: true })).toThrow(
      /cannot open database .*nowhere.*agent\.db to read: point --data at the agent's data directory/,
    );
    const dataDir = dirs.make();
    closeDatabase(openDatabase({ dataDir, migrations: schemaMigrations.slice(0, 7) }).db);
    expect(() => openAgentStore({ dataDir, readOnly: true })).toThrow(
      /has schema version 7, this build reads 9: run the agent with this build once/,
    );
    expect(() => openDatabase({ dataDir, readOnly: true, migrations: schemaMigrations.slice(0, 6) })).toThrow(
      SchemaTooNewError,
    );
    expect(() => openAgentStore({ dataDir, readOnly: true })).toThrow(StoreError);
  });
});
