import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { backupCrashPointFromEnv } from "../../runtime/backup-crash-point.js";
import { fundOnDevnet } from "../../runtime/backup-launch.js";
import { makeBackup } from "../../services/backup/index.js";
import { openAgentStore } from "../../services/store/index.js";
import { cliContext, print } from "../cli-options.js";
import { requireSavedAgentState } from "../saved-agent-state.js";
import { backupKeys, backupTargetOrFail } from "./backup-access.js";

/** `akash-agent backup`: loaded only when the command runs (its modules are heavy). */
export async function backupAction(
  options: { devnetUrl?: string; json?: boolean },
  command: Command,
): Promise<void> {
  const { config } = cliContext(command, { "devnet.url": options.devnetUrl });
  requireSavedAgentState(config.dataDir, "backup");
  const keys = await backupKeys(config);
  const address = keys.identity.arweave;
  if (!address) {
    throw new UsageError(
      "the keystore has no Arweave wallet to sign the backup: use the file keystore from `akash-agent init`, or set AGENT_ARWEAVE_JWK",
    );
  }
  const { target, faucet } = await backupTargetOrFail(config);
  if (config.network === "devnet" && faucet) await fundOnDevnet(target.gateway, faucet, address);
  const store = openAgentStore({ dataDir: config.dataDir });
  try {
    const onStep = backupCrashPointFromEnv();
    const result = await makeBackup({ store, keys, target, ...(onStep ? { onStep } : {}) });
    if (options.json) {
      print(JSON.stringify({ id: result.id, seq: result.seq, bytes: result.bytes, sha256: result.sha256 }));
      return;
    }
    print(`backup   ${result.seq}${result.resumed ? " (finished an interrupted one)" : ""}`);
    print(`id       ${result.id}`);
    print(`bytes    ${result.bytes} (compressed and encrypted; the store is ${result.storeBytes})`);
    print(`sha256   ${result.sha256}`);
    print(`pointer  ${target.relays.join(", ")}`);
  } finally {
    store.close();
  }
}
