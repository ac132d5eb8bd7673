import { createChainNodeSDK, createStargateClient } from "@akashnetwork/chain-sdk";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { type DevnetHandle, type DevnetOptions, startDevnet } from "../../src/devnet/index.js";

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
