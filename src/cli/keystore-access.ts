import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { AgentConfig } from "../config/index.js";
import {
  AgentKeys,
  EnvKeystore,
  FileKeystore,
  type KeystoreBackend,
  KeystoreNotFoundError,
  MNEMONIC_ENV,
  PASSPHRASE_ENV,
} from "../services/keys/index.js";
import { obtainPassphrase } from "./passphrase-prompt.js";

/** Where the file keystore lives: `keystore.path`, relative to the data directory. */
export function keystorePath(config: AgentConfig): string {
  const { path } = config.keystore;
  return isAbsolute(path) ? path : join(config.dataDir, path);
}

/** The environment keystore when asked for in config or when `AGENT_MNEMONIC` is set. */
export function usesEnvKeystore(config: AgentConfig): boolean {
  return config.keystore.backend === "env" || process.env[MNEMONIC_ENV] !== undefined;
}

/** The keystore the agent's identity comes from; the file backend asks for its passphrase. */
export async function openKeystore(config: AgentConfig): Promise<KeystoreBackend> {
  if (usesEnvKeystore(config)) return new EnvKeystore();
  const path = keystorePath(config);
  if (!existsSync(path)) {
    throw new KeystoreNotFoundError(
      `no keystore at ${path}: create one with \`akash-agent init\` (or set AGENT_MNEMONIC for development)`,
    );
  }
  return new FileKeystore({ path, passphrase: await obtainPassphrase({ confirm: false }) });
}

export async function loadAgentKeys(config: AgentConfig): Promise<AgentKeys> {
  const backend = await openKeystore(config);
  return AgentKeys.fromContents(await backend.load());
}

/** Loads the keys only when that needs no prompt (env keystore, or a file keystore plus AGENT_PASSPHRASE). */
export async function loadAgentKeysQuietly(config: AgentConfig): Promise<AgentKeys | null> {
  if (usesEnvKeystore(config)) return loadAgentKeys(config);
  if (existsSync(keystorePath(config)) && process.env[PASSPHRASE_ENV] !== undefined)
    return loadAgentKeys(config);
  return null;
}
