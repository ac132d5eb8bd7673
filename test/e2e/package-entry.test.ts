import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

/** The built package entry (`npm test` builds before the suite), loaded as a host would load it. */
const entryUrl = pathToFileURL(resolve(import.meta.dirname, "../../dist/index.js")).href;

describe("the package entry (dist/index.js)", () => {
  it("exports what the README promises an embedding host", async () => {
    const entry = (await import(entryUrl)) as Record<string, unknown>;
    const functions = [
      "provideAgentMachine",
      "launchAgent",
      "isInState",
      "openAgentStore",
      "restoreLatestSnapshot",
      "createSnapshotPersister",
      "startDevnet",
      "connectAkash",
      "loadConfig",
      "generateSdlTemplate",
      "scoreBids",
    ];
    for (const name of functions) expect(typeof entry[name], name).toBe("function");
    for (const name of [
      "agentMachine",
      "leaseMachine",
      "healthMachine",
      "keyRotationMachine",
      "treasuryMachine",
      "reproductionMachine",
    ]) {
      expect(entry[name], name).toHaveProperty("config");
    }
    expect(entry.AGENT_MACHINE_VERSION).toBe("7");
    expect(Object.keys(entry.AGENT_SNAPSHOT_UPGRADES as object)).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  it("restores nothing from an empty store, through the exported functions", async () => {
    const entry = (await import(entryUrl)) as {
      openAgentStore(options: { dataDir: string }): { snapshots: unknown; close(): void };
      restoreLatestSnapshot(snapshots: unknown, machineId: string, support: unknown): unknown;
      AGENT_MACHINE_VERSION: string;
      AGENT_SNAPSHOT_UPGRADES: unknown;
    };
    const store = entry.openAgentStore({ dataDir: mkdtempSync(join(tmpdir(), "agent-entry-")) });
    try {
      const restored = entry.restoreLatestSnapshot(store.snapshots, "agent", {
        current: entry.AGENT_MACHINE_VERSION,
        upgrades: entry.AGENT_SNAPSHOT_UPGRADES,
      });
      expect(restored).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
