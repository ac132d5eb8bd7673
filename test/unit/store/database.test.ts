import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  APPLICATION_ID,
  closeDatabase,
  type Migration,
  migrate,
  openAgentStore,
  openDatabase,
  SchemaTooNewError,
  StoreError,
  schemaMigrations,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const tableNames = (db: BetterSqlite3.Database) =>
  (
    db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((row) => row.name);

/** Every table, index and trigger with its SQL, SQLite's own tables left out. */
const schemaOf = (db: BetterSqlite3.Database) =>
  db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();

describe("openDatabase", () => {
  it("creates the data directory and applies the schema with WAL, synchronous, foreign keys and busy timeout", () => {
    const dataDir = join(dirs.make(), "nested", "data");
    const { db, path, migration } = openDatabase({ dataDir, busyTimeoutMs: 1234 });
    try {
      expect(existsSync(path)).toBe(true);
      expect(migration).toEqual({
        from: 0,
        to: schemaMigrations.length,
        applied: schemaMigrations.map((known) => known.name),
      });
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
      expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(db.pragma("busy_timeout", { simple: true })).toBe(1234);
      expect(db.pragma("user_version", { simple: true })).toBe(schemaMigrations.length);
      expect(db.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
      expect(tableNames(db)).toEqual(
        expect.arrayContaining([
          "alerts",
          "children",
          "intents",
          "journal",
          "provider_performance",
          "snapshots",
          "spending",
        ]),
      );
    } finally {
      closeDatabase(db);
    }
    expect(db.open).toBe(false);
    closeDatabase(db);
  });

  it("uses synchronous NORMAL when asked", () => {
    const { db } = openDatabase({ dataDir: dirs.make(), synchronous: "NORMAL" });
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    closeDatabase(db);
  });

  it("is idempotent: reopening applies nothing and keeps the data", () => {
    const dataDir = dirs.make();
    const first = openAgentStore({ dataDir });
    first.alerts.raise({ id: "a1", severity: "low", title: "t", message: "m", channels: ["console"] });
    const schemaBefore = schemaOf(first.db);
    expect(schemaBefore.length).toBeGreaterThan(7);
    first.close();

    const second = openAgentStore({ dataDir });
    expect(second.migration).toEqual({
      from: schemaMigrations.length,
      to: schemaMigrations.length,
      applied: [],
    });
    expect(schemaOf(second.db)).toEqual(schemaBefore);
    expect(second.alerts.get("a1")?.title).toBe("t");
    second.close();
  });

  it("upgrades a version 1 database: spending keeps its rows and takes escrow refunds, lease records keep theirs", () => {
    const dataDir = dirs.make();
    const v1 = openDatabase({ dataDir, migrations: schemaMigrations.slice(0, 1) });
    v1.db
      .prepare("INSERT INTO spending VALUES ('deposit:1', 'deployment_deposit', 'uact', '500000', 'H', 7)")
      .run();
    v1.db
      .prepare(
        "INSERT INTO provider_performance (provider, dseq, gseq, oseq, started_at, issues_json) VALUES ('akash1p', '5', 1, 1, 3, '[]')",
      )
      .run();
    expect(() =>
      v1.db.prepare("INSERT INTO spending VALUES ('refund:1', 'escrow_refund', 'uact', '1', NULL, 8)").run(),
    ).toThrow(/CHECK/);
    closeDatabase(v1.db);

    const store = openAgentStore({ dataDir });
    try {
      expect(store.migration).toEqual({
        from: 1,
        to: 9,
        applied: [
          "escrow refunds in spending",
          "lease ready time and health checks in provider performance",
          "signed cronos transactions of treasury legs",
          "alert incidents and durable delivery progress",
          "leadership generation and handover",
          "one snapshot row per actor, rewritten in place",
          "family registry: derivation index, generation and budget of children",
          "leadership states of upgrades: canary and standby",
        ],
      });
      expect(
        store.providerPerformance.latest({ provider: "akash1p", dseq: "5", gseq: 1, oseq: 1 }),
      ).toMatchObject({
        startedAt: 3,
        readyAt: null,
        checks: { passed: 0, total: 0 },
      });
      expect(store.spending.get("deposit:1")).toEqual({
        key: "deposit:1",
        kind: "deployment_deposit",
        denom: "uact",
        amount: 500_000n,
        txHash: "H",
        createdAt: 7,
      });
      store.spending.record({
        key: "refund:1",
        kind: "escrow_refund",
        denom: "uact",
        amount: 1n,
        createdAt: 8,
      });
      expect(store.spending.netBetween({ denom: "uact", from: 0, to: 9 })).toBe(499_999n);
      const indexes = store.db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'spending'")
        .all();
      expect(indexes).toEqual(expect.arrayContaining([{ name: "spending_by_time" }]));
    } finally {
      store.close();
    }
  });

  it("refuses a database written by a newer schema, naming both versions", () => {
    const dataDir = dirs.make();
    openAgentStore({ dataDir }).close();
    const raw = new BetterSqlite3(join(dataDir, "agent.db"));
    raw.pragma(`user_version = ${schemaMigrations.length + 3}`);
    raw.close();

    const open = () => openAgentStore({ dataDir });
    expect(open).toThrow(SchemaTooNewError);
    expect(open).toThrow(
      new RegExp(`schema version ${schemaMigrations.length + 3}, newer than the ${schemaMigrations.length}`),
    );
  });

  it("refuses a SQLite file that belongs to another program", () => {
    const dataDir = dirs.make();
    const raw = new BetterSqlite3(join(dataDir, "agent.db"));
    raw.exec("CREATE TABLE other (x)");
    raw.pragma("user_version = 1");
    raw.close();
    expect(() => openAgentStore({ dataDir })).toThrow(/belongs to another program/);
  });

  it("refuses a file that is not a database with a StoreError naming the path", () => {
    const dataDir = dirs.make();
    writeFileSync(
      join(dataDir, "agent.db"),
      "this is not sqlite, just some text that is long enough ".repeat(20),
    );
    expect(() => openAgentStore({ dataDir })).toThrow(StoreError);
    expect(() => openAgentStore({ dataDir })).toThrow(join(dataDir, "agent.db"));
  });
});

describe("migrate", () => {
  const good: Migration = { version: 1, name: "one", sql: "CREATE TABLE one (x INTEGER)" };

  it("applies every pending migration in one transaction: a failing one rolls back the whole batch", () => {
    const db = new BetterSqlite3(":memory:");
    migrate(db, [good]);
    const batch: Migration[] = [
      good,
      { version: 2, name: "two", sql: "CREATE TABLE two (x INTEGER)" },
      { version: 3, name: "broken", sql: "CREATE TABLE three (x INTEGER); INSERT INTO nowhere VALUES (1)" },
    ];
    expect(() => migrate(db, batch)).toThrow(/nowhere/);
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    expect(tableNames(db)).toEqual(["one"]);

    const fixed = [
      batch[0]!,
      batch[1]!,
      { version: 3, name: "fixed", sql: "CREATE TABLE three (x INTEGER)" },
    ];
    expect(migrate(db, fixed)).toEqual({ from: 1, to: 3, applied: ["two", "fixed"] });
    expect(migrate(db, fixed)).toEqual({ from: 3, to: 3, applied: [] });
    expect(tableNames(db)).toEqual(["one", "three", "two"]);
    db.close();
  });

  it("rejects a migration list that is not numbered 1, 2, 3 …", () => {
    const db = new BetterSqlite3(":memory:");
    expect(() => migrate(db, [good, { version: 3, name: "skip", sql: "" }])).toThrow(
      /version 3 at position 2/,
    );
    db.close();
  });
});
