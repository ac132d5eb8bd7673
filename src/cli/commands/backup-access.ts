import { existsSync } from "node:fs";
import type { AgentConfig } from "../../config/index.js";
import { UsageError } from "../../errors.js";
import { backupTargetFor } from "../../runtime/backup-launch.js";
import { devnetAgentKeystore } from "../../runtime/devnet-identity.js";
import type { BackupTarget } from "../../services/backup/index.js";
import { AgentKeys, type KeystoreBackend } from "../../services/keys/index.js";
import { keystorePath, openKeystore, usesEnvKeystore } from "../keystore-access.js";

/** The agent's keystore for `backup` and `restore`: the keystore file, `AGENT_MNEMONIC`, or on the devnet its test identity. */
export async function backupKeystore(config: AgentConfig): Promise<KeystoreBackend> {
  if (usesEnvKeystore(config) || existsSync(keystorePath(config))) return openKeystore(config);
  if (config.network === "devnet") return devnetAgentKeystore();
  throw new UsageError(
    `no keystore at ${keystorePath(config)} and no AGENT_MNEMONIC: give the agent's mnemonic (AGENT_MNEMONIC, or \`akash-agent init --import\`)`,
  );
}

export async function backupKeys(config: AgentConfig): Promise<AgentKeys> {
  return AgentKeys.fromContents(await (await backupKeystore(config)).load());
}

/** Where backups are for these settings; a clear error when the network has none to offer. */
export async function backupTargetOrFail(
  config: AgentConfig,
): Promise<{ target: BackupTarget; faucet: string | null }> {
  if (config.network === "devnet" && !config.devnet.url) {
    throw new UsageError(
      "on the devnet, pass --devnet-url with the control URL of a running `akash-agent devnet` (the embedded devnet lives only inside `run`)",
    );
  }
  // backup.enabled turns the automatic backups off, not this command.
  const { choice, devnet } = await backupTargetFor(
    { ...config, backup: { ...config.backup, enabled: true } },
    null,
  );
  if ("off" in choice) throw new UsageError(`no place for backups: ${choice.off}`);
  return { target: choice.target, faucet: devnet?.faucet ?? null };
}
