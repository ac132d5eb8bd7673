import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { deriveChildMnemonic } from "../../src/services/keys/child-mnemonic.js";
import { AgentKeys, EnvKeystore, type Secret } from "../../src/services/keys/index.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { DEPLOYED_AGENT_READY_MS } from "./agent-harness.js";
import { agentProcessOptions, startTestDevnet } from "./devnet.js";

/**
 * The family's timing in the resurrection end-to-end files: a heartbeat a second, and a member silent
 * for 8 of them is judged silent (a false alarm under load costs a refused take-back, nothing more:
 * the take-back itself refuses while the heartbeats are fresh or the lease runs).
 */
export const FAMILY_HEARTBEAT_MS = 1_000;
export const FAMILY_SILENCE_MS = 8_000;

/**
 * The settings a family's parent runs with in those files (its children inherit them, but for the
 * family's own): the relay profile served on loopback, quick heartbeats and silence, backups that wait
 * little for the local gateway, a short bid window, and budgets that never stand in the way.
 */
export const familySettings: Readonly<Record<string, string | number | boolean>> = {
  "agent.sdlProfile": "relay",
  "agent.relayDomain": "127.0.0.1",
  "heartbeat.intervalMs": FAMILY_HEARTBEAT_MS,
  "timeouts.servicesReadyMs": DEPLOYED_AGENT_READY_MS,
  "backup.availableTimeoutMs": 20_000,
  // A rebid after a provider went down lacks its bid: it waits this long for it, not 5 s.
  "bidding.windowMs": 2_000,
  "reproduction.enabled": true,
  "reproduction.childBudgetUact": "20000000",
  "reproduction.heartbeatCheckMs": 500,
  "reproduction.silenceThresholdMs": FAMILY_SILENCE_MS,
  "budget.treasuryMinimumUsd": 0,
  "budget.dailySpendCapUsd": 1_000,
};

/** Temporary folders for one file: removed at the end unless KEEP_TEST_DIRS is set (then listed). */
export function e2eDirs(): { make(prefix: string): string; cleanUp(): void } {
  const made: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanUp() {
      if (process.env.KEEP_TEST_DIRS) console.log(`kept: ${made.join(" ")}`);
      else for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A devnet for a family: the Nostr relay and the Arweave gateway (mining every 200 ms), and providers
 * that run the agent's image as this package's built CLI, logging to `logDir`.
 */
export function startFamilyDevnet(o: { providers: number; logDir: string }): Promise<DevnetHandle> {
  return startTestDevnet({
    providers: o.providers,
    nostr: true,
    arweave: { mineIntervalMs: 200 },
    ...agentProcessOptions(o.logDir),
  });
}

/**
 * The highest backup seq a data dir reserved (0: none), finished or not. A child's bootstrap stops as
 * soon as it handed over, often with its backup machine still waiting for the gateway to serve its
 * first backup: the machine's own record of its last backup is then empty, the reservation is not.
 */
export function lastBackupSeq(dataDir: string): number {
  const store = openAgentStore({ dataDir, readOnly: true });
  try {
    const row = store.db
      .prepare<[], { seq: number | null }>(
        "SELECT max(json_extract(payload_json, '$.seq')) AS seq FROM intents WHERE kind = 'backup'",
      )
      .get();
    return row?.seq ?? 0;
  } finally {
    store.close();
  }
}

/** A child's keys, derived from its parent's mnemonic at its index. */
export async function childKeysOf(parentMnemonic: Secret<string>, index: number): Promise<AgentKeys> {
  return AgentKeys.fromContents(
    await new EnvKeystore({
      env: { AGENT_MNEMONIC: deriveChildMnemonic(parentMnemonic, index).reveal() },
    }).load(),
  );
}

/** Every file under `dir` (the devnet's agent logs: the family's deployed instances). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The lines of the files under `dir` that match `pattern`, the last `perFile` of each, named by file. */
export function linesUnder(dir: string, pattern: RegExp, perFile = 20): string[] {
  return filesUnder(dir).flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => pattern.test(line))
      .slice(-perFile)
      .map((line) => `${file.split("/").at(-1)}: ${line}`),
  );
}
