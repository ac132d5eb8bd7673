import type { AgentConfig } from "../config/index.js";
import type { DevnetHandle, DevnetOptions } from "../devnet/index.js";
import type { Logger } from "../logging/index.js";
import type { AkashChain, ProviderDirectory, ProviderGateway } from "../services/akash/akash-service.js";
import {
  type AkashConnection,
  type ChildGrants,
  connectAkash,
  createIngressResolver,
  type IngressResolver,
  resolveDevnetEndpoints,
} from "../services/akash/index.js";
import type { CronosEndpoints } from "../services/cronos/index.js";
import type { AkashWallets } from "../services/keys/index.js";
import type { AgentStore } from "../services/store/index.js";
import { crashPointFromEnv } from "./crash-point.js";
import { configuredCronosEndpoints } from "./cronos-endpoints-config.js";
import { embeddedDevnetAgentProcesses } from "./embedded-devnet-agents.js";

/** The network the agent runs on, connected. */
export interface NetworkConnection {
  network: AgentConfig["network"];
  chainId: string;
  chain: AkashChain;
  gateway: ProviderGateway;
  directory: ProviderDirectory;
  /** The agent's grants to its children (the parent side of their budgets). */
  childGrants: ChildGrants;
  blockSeconds: number;
  /** How often to look again while waiting (the devnet's block time, else config). */
  pollIntervalMs: number;
  auditors: string[];
  /**
   * Looks up the leases' ingress names: with the system's resolver on sandbox and mainnet, with the
   * devnet's DNS server on the devnet; null on a devnet that serves no DNS (its names resolve nowhere else).
   */
  ingress: IngressResolver | null;
  /** Devnet only: funds an address with AKT. */
  faucet?: (address: string, uakt: string) => Promise<void>;
  /** The Cronos endpoints of the treasury's CRO→AKT leg (the devnet's own, or the network's from config). */
  cronos?: CronosEndpoints;
  /** Devnet only: sends CRO (wei) to an EVM address. */
  cronosFaucet?: (address: string, wei: bigint) => Promise<void>;
  /** The network's own Nostr relay (the devnet's), the default of `nostr.relays`. */
  nostrRelay?: string;
  /** The in-process devnet, when this process started one. */
  devnet?: DevnetHandle;
  /**
   * Connects another Akash account (another key index, or a child's) with the same endpoints, store
   * and options; `fundedBy` pays its deposits and fees through that account's grants (a child's parent).
   */
  connectAccount(wallets: AkashWallets, funding?: { fundedBy?: string }): Promise<AkashConnection>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  config: AgentConfig;
  wallets: AkashWallets;
  store: AgentStore;
  logger: Logger;
  /** A running devnet's control URL (`--devnet-url`); without it the devnet starts in this process. */
  devnetUrl?: string;
  /** Options for an in-process devnet (e.g. the agent's own image as a real process). */
  devnetOptions?: DevnetOptions;
}

async function postFaucet(faucetUrl: string, address: string, uakt: string): Promise<void> {
  const response = await fetch(faucetUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address, amount: uakt }),
  });
  if (!response.ok) throw new Error(`the devnet faucet answered HTTP ${response.status}`);
}

function devnetIngressResolver(
  dnsServer: string | undefined,
  timeoutMs: number,
  logger: Logger,
): IngressResolver | null {
  if (dnsServer === undefined) {
    logger.info("the devnet serves no DNS: ingress names are not checked");
    return null;
  }
  return createIngressResolver({ servers: [dnsServer], timeoutMs });
}

/** Connects to devnet (in-process or running), sandbox or mainnet, checking the chain id. */
export async function connectNetwork(options: ConnectOptions): Promise<NetworkConnection> {
  const { config, logger } = options;
  const onTxStep = crashPointFromEnv();
  const dnsTimeoutMs = config.timeouts.slowProviderMs;
  const txHook = onTxStep ? { onTxStep } : {};
  // A child's deposits and fees are paid through its parent's grants.
  const parent = config.reproduction.parent?.akash;
  const fundedBy = parent ? { fundedBy: parent } : {};
  if (config.network !== "devnet") {
    const endpoints = config.networks[config.network];
    const connectAccount = (wallets: AkashWallets, funding = fundedBy) =>
      connectAkash({ endpoints, wallets, store: options.store, ...funding, options: { logger, ...txHook } });
    const akash = await connectAccount(options.wallets);
    return {
      network: config.network,
      chainId: endpoints.chainId,
      ...akash,
      blockSeconds: 6,
      pollIntervalMs: config.intervals.chainPollMs,
      auditors: [],
      ingress: createIngressResolver({ timeoutMs: dnsTimeoutMs }),
      ...configuredCronosEndpoints(config),
      connectAccount,
      close: () => akash.chain.close(),
    };
  }

  const url = options.devnetUrl ?? config.devnet.url;
  if (url) {
    const endpoints = await resolveDevnetEndpoints(url);
    logger.info({ control: url, chainId: endpoints.chainId }, "using a running devnet");
    const connectAccount = (wallets: AkashWallets, funding = fundedBy) =>
      connectAkash({
        endpoints,
        wallets,
        store: options.store,
        ...funding,
        options: { broadcastPollIntervalMs: Math.min(endpoints.blockTimeMs, 500), logger, ...txHook },
      });
    const akash = await connectAccount(options.wallets);
    return {
      network: "devnet",
      chainId: endpoints.chainId,
      ...akash,
      blockSeconds: endpoints.blockTimeMs / 1000,
      pollIntervalMs: endpoints.blockTimeMs,
      auditors: [...endpoints.auditors],
      ingress: devnetIngressResolver(endpoints.dns, dnsTimeoutMs, logger),
      faucet: (address, uakt) => postFaucet(endpoints.faucet, address, uakt),
      ...(endpoints.cronos
        ? {
            cronos: endpoints.cronos,
            cronosFaucet: (address: string, wei: bigint) =>
              postFaucet(endpoints.faucet, address, wei.toString()),
          }
        : {}),
      ...(endpoints.nostr ? { nostrRelay: endpoints.nostr.relay } : {}),
      connectAccount,
      close: () => akash.chain.close(),
    };
  }

  logger.info(
    { blockTimeMs: config.devnet.blockTimeMs, providers: config.devnet.providers },
    "starting the embedded devnet",
  );
  // Loaded only here: the devnet's chain, servers and providers take about a second to import, which
  // an agent on a running devnet or a real network would pay at every start.
  const { startDevnet } = await import("../devnet/start-devnet.js");
  const devnet = await startDevnet({
    blockTimeMs: config.devnet.blockTimeMs,
    providers: config.devnet.providers,
    ...(options.devnetOptions?.agentCommand ? {} : embeddedDevnetAgentProcesses(config, logger)),
    ...options.devnetOptions,
  });
  try {
    const connectAccount = (wallets: AkashWallets, funding = fundedBy) =>
      connectAkash({
        endpoints: devnet,
        wallets,
        store: options.store,
        ...funding,
        options: { broadcastPollIntervalMs: Math.min(devnet.blockTimeMs, 500), logger, ...txHook },
      });
    const akash = await connectAccount(options.wallets);
    return {
      network: "devnet",
      chainId: devnet.chainId,
      ...akash,
      blockSeconds: devnet.blockTimeMs / 1000,
      pollIntervalMs: devnet.blockTimeMs,
      auditors: [...devnet.auditors],
      ingress: devnetIngressResolver(devnet.dns, dnsTimeoutMs, logger),
      faucet: async (address, uakt) => {
        await devnet.fund(address, uakt);
      },
      ...(devnet.cronos && devnet.cronosControl
        ? {
            cronos: devnet.cronos,
            cronosFaucet: async (address: string, wei: bigint) => {
              await devnet.cronosControl?.fund(address, wei);
            },
          }
        : {}),
      devnet,
      ...(devnet.nostr ? { nostrRelay: devnet.nostr.relay } : {}),
      connectAccount,
      close: async () => {
        await akash.chain.close();
        await devnet.stop();
      },
    };
  } catch (error) {
    await devnet.stop();
    throw error;
  }
}
