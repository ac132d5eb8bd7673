import { afterEach, describe, expect, it } from "vitest";
import {
  type AgentStore,
  openAgentStore,
  restoreLatestSnapshot,
  StoreError,
  UnknownSnapshotVersionError,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  dirs.cleanup();
});

const snapshotJson = (value: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ status: "active", value, context: {}, children: {}, historyValue: {}, ...extra });

describe("snapshot repository", () => {
  it("keeps the newest N per machine with growing seq, pruning in the same write", () => {
    let now = 1000;
    store = openAgentStore({ dataDir: dirs.make(), snapshotsToKeep: 3, clock: () => now });
    const seqs: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      now += 1;
      seqs.push(
        store.snapshots.append({
          machineId: "agent",
          machineVersion: "1",
          snapshotJson: snapshotJson(`s${index}`),
        }),
      );
    }
    store.snapshots.append({ machineId: "other", machineVersion: "1", snapshotJson: snapshotJson("x") });
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(6);
    expect(store.snapshots.list("agent").map((row) => row.seq)).toEqual(seqs.slice(3));
    expect(store.snapshots.latest("agent")).toMatchObject({
      seq: seqs[5],
      machineVersion: "1",
      createdAt: 1006,
      snapshotJson: snapshotJson("s5"),
    });
    expect(store.snapshots.list("other")).toHaveLength(1);
  });

  it("never reuses a seq after pruning, across reopen", () => {
    const dataDir = dirs.make();
    store = openAgentStore({ dataDir, snapshotsToKeep: 1 });
    const first = store.snapshots.append({
      machineId: "agent",
      machineVersion: "1",
      snapshotJson: snapshotJson("a"),
    });
    const second = store.snapshots.append({
      machineId: "agent",
      machineVersion: "1",
      snapshotJson: snapshotJson("b"),
    });
    store.close();
    store = openAgentStore({ dataDir, snapshotsToKeep: 1 });
    const third = store.snapshots.append({
      machineId: "agent",
      machineVersion: "1",
      snapshotJson: snapshotJson("c"),
    });
    expect(first < second && second < third).toBe(true);
    expect(store.snapshots.list("agent").map((row) => row.seq)).toEqual([third]);
  });

  it("refuses text that is not JSON", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    expect(() =>
      store!.snapshots.append({ machineId: "agent", machineVersion: "1", snapshotJson: "{nope" }),
    ).toThrow(/CHECK constraint/);
    expect(store.snapshots.latest("agent")).toBeUndefined();
  });
});

describe("restoreLatestSnapshot", () => {
  it("returns undefined when nothing was persisted", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    expect(restoreLatestSnapshot(store.snapshots, "agent", { current: "1" })).toBeUndefined();
  });

  it("restores the current version as stored", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const seq = store.snapshots.append({
      machineId: "agent",
      machineVersion: "2",
      snapshotJson: snapshotJson("running"),
    });
    const restored = restoreLatestSnapshot(store.snapshots, "agent", { current: "2" });
    expect(restored).toMatchObject({ seq, machineId: "agent", storedVersion: "2" });
    expect(restored?.snapshot).toEqual(JSON.parse(snapshotJson("running")));
  });

  it("refuses an unknown machine version, naming it, the supported ones and what to do", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const seq = store.snapshots.append({
      machineId: "agent",
      machineVersion: "1",
      snapshotJson: snapshotJson("x"),
    });
    const restore = () =>
      restoreLatestSnapshot(store!.snapshots, "agent", {
        current: "3",
        upgrades: { "2": (snapshot) => snapshot },
      });
    expect(restore).toThrow(UnknownSnapshotVersionError);
    try {
      restore();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain(`snapshot #${seq} of machine "agent" has version "1"`);
      expect(message).toContain(`restores only "3", "2"`);
      expect(message).toMatch(/run an agent build that knows version "1".*move the data directory aside/);
      expect((error as UnknownSnapshotVersionError).exitCode).toBe(1);
      expect((error as UnknownSnapshotVersionError).newer).toBe(false);
    }
  });

  it("says plainly when a newer agent wrote the snapshot: run that version or roll back to a standby's state", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const seq = store.snapshots.append({
      machineId: "agent",
      machineVersion: "7",
      snapshotJson: snapshotJson("x"),
    });
    let caught: unknown;
    try {
      restoreLatestSnapshot(store.snapshots, "agent", {
        current: "6",
        upgrades: { "5": (snapshot) => snapshot },
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownSnapshotVersionError);
    const error = caught as UnknownSnapshotVersionError;
    expect(error.message).toBe(
      `snapshot #${seq} of machine "agent" was written by a newer agent (machine version 7; this build knows 6): ` +
        "run that version or newer, or roll back to a standby's own state",
    );
    expect(error).toMatchObject({
      newer: true,
      storedVersion: "7",
      supportedVersions: ["6", "5"],
      exitCode: 1,
    });
  });

  it("reads versions with a common prefix by their number; anything else unknown keeps the plain wording", () => {
    const refusal = (stored: string, current: string, upgrades: string[] = []) => {
      store?.close();
      store = openAgentStore({ dataDir: dirs.make() });
      store.snapshots.append({ machineId: "lease", machineVersion: stored, snapshotJson: snapshotJson("x") });
      try {
        restoreLatestSnapshot(store.snapshots, "lease", {
          current,
          upgrades: Object.fromEntries(upgrades.map((version) => [version, (snapshot) => snapshot])),
        });
      } catch (error) {
        return error as UnknownSnapshotVersionError;
      }
      throw new Error(`version ${stored} was restored`);
    };
    expect(refusal("lease-7", "lease-6").message).toContain(
      "was written by a newer agent (machine version lease-7; this build knows lease-6)",
    );
    expect(refusal("10", "9", ["8"]).newer).toBe(true);
    // Not newer than every known version, a different prefix, or not a number: the plain wording.
    for (const [stored, current, upgrades] of [
      ["4", "6", ["3"]],
      ["lease-7", "6", []],
      ["7", "lease-6", []],
      ["prototype", "6", []],
      ["7", "6-beta", []],
    ] as const) {
      const error = refusal(stored, current, [...upgrades]);
      expect(error.newer, stored).toBe(false);
      expect(error.message).toContain(`has version "${stored}", but this build restores only`);
    }
  });

  it("upgrades a supported older version with the caller's function", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    store.snapshots.append({
      machineId: "agent",
      machineVersion: "1",
      snapshotJson: snapshotJson("old", { context: { budget: 5 } }),
    });
    const restored = restoreLatestSnapshot(store.snapshots, "agent", {
      current: "2",
      upgrades: {
        "1": (snapshot) => ({
          ...snapshot,
          context: {
            budgetUact: String(Number((snapshot.context as { budget: number }).budget) * 1_000_000),
          },
        }),
      },
    });
    expect(restored?.storedVersion).toBe("1");
    expect(restored?.snapshot).toMatchObject({ value: "old", context: { budgetUact: "5000000" } });
  });

  it("refuses a snapshot whose upgrade leaves no restorable status", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    store.snapshots.append({ machineId: "agent", machineVersion: "1", snapshotJson: snapshotJson("old") });
    expect(() =>
      restoreLatestSnapshot(store!.snapshots, "agent", {
        current: "2",
        upgrades: { "1": () => ({ value: "x" }) },
      }),
    ).toThrow(StoreError);
  });

  it("does not treat inherited object keys as supported versions", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    store.snapshots.append({
      machineId: "agent",
      machineVersion: "toString",
      snapshotJson: snapshotJson("x"),
    });
    expect(() => restoreLatestSnapshot(store!.snapshots, "agent", { current: "1" })).toThrow(
      UnknownSnapshotVersionError,
    );
  });
});
