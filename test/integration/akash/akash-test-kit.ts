import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { generateSdlTemplate, injectSecrets } from "../../../src/domain/index.js";
import {
  type AkashConnection,
  type ConnectAkashOptions,
  connectAkash,
  endpointsFromDevnet,
  manifestOfSdl,
} from "../../../src/services/akash/index.js";
import { type AkashWallets, createAkashWallets, generateMnemonic } from "../../../src/services/keys/index.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";

/** An agent's Akash side on the devnet: its wallets, its SQLite store in a temp dir, and a connection. */
export interface AgentUnderTest {
  readonly wallets: AkashWallets;
  readonly address: string;
  readonly dataDir: string;
  store: AgentStore;
  akash: AkashConnection;
  /** Drops the connection and the store, then opens both again on the same data dir (a process restart). */
  restart(options?: ConnectAkashOptions): Promise<void>;
  close(): Promise<void>;
}

export const FAST: ConnectAkashOptions = { broadcastPollIntervalMs: 25, broadcastTimeoutMs: 20_000 };

export async function startAgent(
  devnet: DevnetHandle,
  funds: { uakt?: bigint; uact?: bigint } = {},
  options: ConnectAkashOptions = FAST,
): Promise<AgentUnderTest> {
  const wallets = await createAkashWallets(generateMnemonic(), 0);
  if ((funds.uakt ?? 50_000_000n) > 0n) await devnet.fund(wallets.address, funds.uakt ?? 50_000_000n);
  if ((funds.uact ?? 0n) > 0n) await devnet.fund(wallets.address, funds.uact ?? 0n, "uact");
  const dataDir = mkdtempSync(join(tmpdir(), "akash-service-"));
  const open = async (connectOptions: ConnectAkashOptions) => {
    const store = openAgentStore({ dataDir });
    const akash = await connectAkash({
      endpoints: endpointsFromDevnet(devnet),
      wallets,
      store,
      options: connectOptions,
    });
    return { store, akash };
  };
  const agent: AgentUnderTest = {
    wallets,
    address: wallets.address,
    dataDir,
    ...(await open(options)),
    async restart(next = options) {
      await agent.akash.chain.close();
      agent.store.close();
      Object.assign(agent, await open(next));
    },
    async close() {
      await agent.akash.chain.close();
      agent.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return agent;
}

export const TEST_SECRETS = {
  postgresPassword: "pg-Secret-4f9c1e7a2b",
};

/** The agent's own SDL as the domain generates it (smallest size), with test secrets injected. */
export async function agentSdl(
  address: string,
  chainId: string,
): Promise<{ yaml: string; manifestVersion: string; manifestJson: string }> {
  const template = generateSdlTemplate({
    identity: {
      agentId: "agent-under-test",
      akashAddress: address,
      nostrPubkey: "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d",
      relayName: "Akash Agent Relay",
      relayDomain: "relay.example.com",
      network: "devnet",
      chainId,
      role: "root",
    },
    image: "ghcr.io/akash-agent/agent-relay:0.1.0",
    resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
    budget: { targetUsdPerDay: 5, actUsd: 1 },
  });
  const yaml = injectSecrets(template, TEST_SECRETS).yamlWithSecrets();
  return { yaml, ...(await manifestOfSdl(yaml)) };
}

/** Polls until `probe` returns a value; fails the test with `what` after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let dseqCounter = 0;
/** A dseq no other deployment of this test process uses (height-based, as the agent picks them). */
export async function freshDseq(agent: AgentUnderTest): Promise<string> {
  dseqCounter += 1;
  return String((await agent.akash.chain.height()) * 100 + dseqCounter);
}

/** A child agent's Akash side: its own account (never funded), paying through its parent's grants. */
export interface ChildUnderTest {
  readonly address: string;
  readonly akash: AkashConnection;
  readonly store: AgentStore;
  close(): Promise<void>;
}

export async function startChild(devnet: DevnetHandle, parent: string): Promise<ChildUnderTest> {
  const wallets = await createAkashWallets(generateMnemonic(), 0);
  const dataDir = mkdtempSync(join(tmpdir(), "child-grants-"));
  const store = openAgentStore({ dataDir });
  const akash = await connectAkash({
    endpoints: endpointsFromDevnet(devnet),
    wallets,
    store,
    fundedBy: parent,
    options: FAST,
  });
  return {
    address: wallets.address,
    akash,
    store,
    async close() {
      await akash.chain.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
