import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevnetHandle } from "../../src/devnet/index.js";
import type { BackupTarget } from "../../src/services/backup/index.js";
import {
  AgentKeys,
  type ArweaveJwk,
  EnvKeystore,
  generateArweaveJwk,
  generateMnemonic,
  type Secret,
} from "../../src/services/keys/index.js";

/** 5 AR: enough for many small backups at arlocal's price. */
export const ARWEAVE_FUNDING_WINSTON = "5000000000000";

/** A new agent identity: mnemonic, Arweave wallet, the keys, and the environment that opens them. */
export interface BackupIdentity {
  readonly mnemonic: string;
  readonly jwk: Secret<ArweaveJwk>;
  readonly keys: AgentKeys;
  /** `AGENT_MNEMONIC` and `AGENT_ARWEAVE_JWK`: what the running agent has. */
  readonly env: Record<string, string>;
}

export async function newBackupIdentity(): Promise<BackupIdentity> {
  const mnemonic = generateMnemonic().reveal();
  const jwk = await generateArweaveJwk();
  const env = { AGENT_MNEMONIC: mnemonic, AGENT_ARWEAVE_JWK: JSON.stringify(jwk.reveal()) };
  const keys = AgentKeys.fromContents(await new EnvKeystore({ env }).load());
  return { mnemonic, jwk, keys, env };
}

/** The keys a restore has: the mnemonic alone (no Arweave wallet). */
export async function mnemonicOnlyKeys(mnemonic: string): Promise<AgentKeys> {
  return AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
}

/** Funds an Arweave address through the devnet faucet. */
export async function fundArweave(devnet: DevnetHandle, address: string): Promise<void> {
  const response = await fetch(devnet.faucet, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address, amount: ARWEAVE_FUNDING_WINSTON }),
  });
  if (!response.ok) throw new Error(`arweave faucet answered ${response.status}: ${await response.text()}`);
}

export function backupTargetOf(devnet: DevnetHandle): BackupTarget {
  if (!devnet.arweave || !devnet.nostr)
    throw new Error("start the devnet with arweave and nostr for backups");
  return {
    gateway: devnet.arweave.gateway,
    relays: [devnet.nostr.relay],
    availableTimeoutMs: 20_000,
    pollIntervalMs: 100,
  };
}

export function emptyDataDir(prefix = "agent-restore-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
