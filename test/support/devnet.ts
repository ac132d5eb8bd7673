import { createChainNodeSDK, createStargateClient } from "@akashnetwork/chain-sdk";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { configSchema } from "../../src/config/schema.js";
import {
  type AgentProcessOptions,
  type DevnetHandle,
  type DevnetOptions,
  ownAgentProcessOptions,
  startDevnet,
} from "../../src/devnet/index.js";

/**
 * A devnet tuned for tests: fast blocks, quick workloads, short timeouts unless overridden. The Cronos
 * EVM, the Arweave gateway, the Nostr relay and the alert receivers are left out unless a test asks
 * for them (`cronos: true`, `arweave: true`, `nostr: true`, `receivers: true`): most tests never
 * touch them, and Hardhat and arlocal cost every devnet start.
 */
export function startTestDevnet(options: DevnetOptions = {}): Promise<DevnetHandle> {
  return startDevnet({
    blockTimeMs: 100,
    workloadStartDelayMs: 200,
    bmeEpochBlocks: 5,
    cronos: false,
    nostr: false,
    receivers: false,
    arweave: false,
    ...options,
  });
}

/** The agent's default image (`agent.image`), what its own SDL deploys. */
export const DEFAULT_AGENT_IMAGE = configSchema.parse({}).agent.image;

/**
 * Devnet options under which providers run the agent's default image as this package's built entry
 * point (`node dist/main.js run`), logging to `logDir`. Only for tests that mean to spawn agent
 * processes: `startTestDevnet` runs none unless given these. Needs `npm run build` first.
 */
export function agentProcessOptions(logDir: string, volumeRoot?: string): AgentProcessOptions {
  return ownAgentProcessOptions(DEFAULT_AGENT_IMAGE, logDir, volumeRoot);
}

export interface Tenant {
  readonly address: string;
  readonly mnemonic: string;
  readonly wallet: DirectSecp256k1HdWallet;
  readonly aminoWallet: Secp256k1HdWallet;
  readonly sdk: ReturnType<typeof createChainNodeSDK>;
  readonly tx: ReturnType<typeof createStargateClient>;
}

/** A fresh tenant wallet wired to the devnet through chain-sdk's own clients (nothing of ours in between). */
export async function createTenant(devnet: DevnetHandle, fundUakt = 50_000_000n): Promise<Tenant> {
  const wallet = await DirectSecp256k1HdWallet.generate(24, { prefix: "akash" });
  const aminoWallet = await Secp256k1HdWallet.fromMnemonic(wallet.mnemonic, { prefix: "akash" });
  const [account] = await wallet.getAccounts();
  if (fundUakt > 0n) {
    const response = await fetch(devnet.faucet, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: account!.address, amount: fundUakt.toString() }),
    });
    if (!response.ok) throw new Error(`faucet answered ${response.status}: ${await response.text()}`);
  }
  const tx = createStargateClient({
    baseUrl: devnet.rpc,
    signer: wallet,
    stargateOptions: { broadcastPollIntervalMs: 50, broadcastTimeoutMs: 20_000 },
  });
  const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc }, tx: { signer: tx } });
  return { address: account!.address, mnemonic: wallet.mnemonic, wallet, aminoWallet, sdk, tx };
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ""}`);
}
