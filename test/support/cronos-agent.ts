import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import { parseEther } from "ethers";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { CronosClient, type CronosLegDeps, type CronosPolicy } from "../../src/services/cronos/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { type AgentStore, openAgentStore } from "../../src/services/store/index.js";

/** A policy that lets a whole swap path run in a second or two on the devnet. */
export const fastCronosPolicy: CronosPolicy = {
  gasFeeCeilingWei: 10_000n * 10n ** 9n,
  stuckTxAfterMs: 60_000,
  swapDeadlineSeconds: 600,
  slippageCapPercent: 3,
  perSwapCapUsd: 40,
  croUsd: 0.1,
  bridgeWaitMs: 30_000,
  pollIntervalMs: 50,
};

/** An agent's Cronos side alone: its keys, its store and a Cronos client on the devnet, CRO funded. */
export interface CronosAgent {
  readonly mnemonic: string;
  readonly akash: string;
  readonly evm: string;
  readonly dataDir: string;
  readonly store: AgentStore;
  client: CronosClient;
  deps(overrides?: Partial<CronosLegDeps>): CronosLegDeps;
  /** uakt on the Akash account (0 while the account does not exist). */
  akashUakt(): Promise<bigint>;
  /** A fresh client and store on the same data directory: what a restarted agent has. */
  restart(): CronosAgent;
  close(): void;
}

export async function createCronosAgent(
  devnet: DevnetHandle,
  options: { fundCro?: string; policy?: Partial<CronosPolicy> } = {},
): Promise<CronosAgent> {
  const mnemonic = generateMnemonic().reveal();
  const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
  const cronos = devnet.cronos;
  if (!cronos) throw new Error("start the devnet with cronos: true");
  const dataDir = mkdtempSync(join(tmpdir(), "cronos-agent-"));
  const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
  const logger = createLogger({ level: process.env.TEST_AGENT_LOG ?? "silent", json: true });
  const open = (): CronosAgent => {
    const store = openAgentStore({ dataDir });
    const client = new CronosClient(
      { rpc: cronos.rpc, chainId: cronos.chainId, router: cronos.router, wcro: cronos.wcro, akt: cronos.akt },
      keys.evmKey().privateKey,
    );
    const agent: CronosAgent = {
      mnemonic,
      akash: keys.identity.akash,
      evm: keys.identity.evm,
      dataDir,
      store,
      client,
      deps: (overrides = {}) => ({
        client: agent.client,
        store,
        policy: { ...fastCronosPolicy, ...options.policy },
        logger,
        now: Date.now,
        ...overrides,
      }),
      akashUakt: async () => {
        const response = await sdk.cosmos.bank.v1beta1.getBalance({
          address: keys.identity.akash,
          denom: "uakt",
        });
        return BigInt(response.balance?.amount ?? "0");
      },
      restart: () => {
        agent.close();
        return open();
      },
      close: () => {
        client.close();
        store.close();
      },
    };
    return agent;
  };
  const agent = open();
  await devnet.cronosControl!.fund(agent.evm, parseEther(options.fundCro ?? "1000"));
  return agent;
}
