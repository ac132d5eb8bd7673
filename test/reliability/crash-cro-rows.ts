import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { CRONOS_CRASH_AT_ENV } from "../../src/runtime/cronos-crash-point.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { runCli } from "../../support/run-cli.js";
import { startTestDevnet } from "../support/devnet.js";
import { SHARED_SETTINGS } from "./crash-flows.js";

/** Two agent runs, each through a CRO→AKT swap and bridge: near 30 s on an idle 2-core machine. */
const ROW_TIMEOUT_MS = 180_000;

export interface CroCrashRow {
  /** `AKASH_AGENT_CRASH_AT_CRONOS`: `<leg>:<step>`. */
  readonly spec: string;
  readonly label: string;
}

/**
 * Registers one test per row: the real CLI (`run --fund cro-only --until active`) is SIGKILLed right
 * after a durable step of the CRO→AKT bootstrap, then run again on the same data directory. The
 * restarted agent finishes the need and deploys. On chain, every need (the bootstrap's, and any
 * emergency swap the running treasury made after it for its ACT float) has exactly one swap and one
 * bridge transfer: the agent's EVM transactions are exactly its swap and bridge intents, one each.
 */
export function croCrashRows(rows: readonly CroCrashRow[]): void {
  let devnet: DevnetHandle;
  let provider: JsonRpcProvider;
  const lines: string[] = [];

  beforeAll(async () => {
    devnet = await startTestDevnet({ blockTimeMs: 100, providers: 2, cronos: { bridgeDelayBlocks: 2 } });
    provider = new JsonRpcProvider(devnet.cronos!.rpc, devnet.cronos!.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
  });

  afterAll(async () => {
    if (lines.length > 0) console.log(`CRO→AKT crash rows (SIGKILL, restart):\n${lines.join("\n")}`);
    provider?.destroy();
    await devnet?.stop();
  });

  it.each(rows)(
    "$label",
    async ({ spec, label }) => {
      const mnemonic = generateMnemonic().reveal();
      const keys = AgentKeys.fromContents(
        await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load(),
      );
      const dataDir = mkdtempSync(join(tmpdir(), "crash-cro-"));
      const args = [
        "run",
        "--network",
        "devnet",
        "--devnet-url",
        devnet.control,
        "--data",
        dataDir,
        "--fund",
        "cro-only",
        "--until",
        "active",
        "--json",
        "--log-level",
        "silent",
      ];
      const env = { ...SHARED_SETTINGS, AGENT_KEYSTORE_BACKEND: "env", AGENT_MNEMONIC: mnemonic };
      const killed = await runCli(args, { ...env, [CRONOS_CRASH_AT_ENV]: spec });
      expect(killed.signal).toBe("SIGKILL");
      const restarted = await runCli(args, env);
      expect(restarted.stderr).toBe("");
      expect(restarted.code).toBe(0);
      expect((JSON.parse(restarted.stdout) as { state: string }).state).toMatch(/^active/);

      const transfers = devnet.cronosControl!.transfers().filter((t) => t.recipient === keys.identity.akash);
      const sent = await provider.getTransactionCount(keys.identity.evm);
      const store = openAgentStore({ dataDir });
      try {
        const bootstrap = `${keys.identity.akash}:bootstrap`;
        const legs = (kind: string) =>
          store.db.prepare("SELECT key, state FROM intents WHERE kind = ? ORDER BY key").all(kind) as Array<{
            key: string;
            state: string;
          }>;
        const swaps = legs("cronos_swap");
        const bridges = legs("cronos_bridge");
        // The bootstrap need: one swap signed once (a restart never signs it anew), one bridge transfer.
        expect(store.cronosTxs.list(`${bootstrap}:swap`)).toHaveLength(1);
        expect(store.cronosTxs.list(`${bootstrap}:bridge`)).toHaveLength(1);
        expect(swaps.map((leg) => leg.key)).toContain(`${bootstrap}:swap`);
        // Every transaction on chain is one leg of one need, once.
        const needs = new Set(swaps.map((leg) => leg.key.replace(/:swap$/, "")));
        expect(bridges.map((leg) => leg.key.replace(/:bridge$/, "")).every((need) => needs.has(need))).toBe(
          true,
        );
        // A leg the stopping agent had signed but not yet sent is not on chain (a next run resends it).
        const minedLegs: string[] = [];
        for (const leg of [...swaps, ...bridges]) {
          const receipts = await Promise.all(
            store.cronosTxs.list(leg.key).map((tx) => provider.getTransactionReceipt(tx.txHash)),
          );
          if (receipts.some((receipt) => receipt !== null)) minedLegs.push(leg.key);
        }
        expect(sent).toBe(minedLegs.length);
        expect(transfers).toHaveLength(minedLegs.filter((key) => key.endsWith(":bridge")).length);
        // The last need's transfer may still be on its way when `--until active` stops the agent.
        expect(transfers.filter((t) => t.outcome === "refunded")).toEqual([]);
        lines.push(
          `| ${label.padEnd(28)} | killed: ${killed.signal} | restarted: lease active | needs ${needs.size} | swaps on chain ${sent - transfers.length} | bridge transfers ${transfers.length} | bootstrap need: 1 swap, 1 bridge |`,
        );
      } finally {
        store.close();
      }
    },
    ROW_TIMEOUT_MS,
  );
}
