import type { ArweaveDevnetControl, ArweaveDevnetOptions, DevnetArweaveInfo } from "./arweave/index.js";
import type { CronosDevnetControl, CronosDevnetOptions, DevnetCronosInfo } from "./cronos/index.js";
import type { DnsDevnetControl } from "./dns/index.js";
import type { FundResult } from "./faucet.js";
import type { RpcFaultSpec } from "./network-faults.js";
import type { DevnetNostrInfo, NostrDevnetControl } from "./nostr/index.js";
import type { FailingImages } from "./provider/failing-images.js";
import type { ProviderHealth } from "./provider/provider-node.js";
import type { ProviderProfile } from "./provider/provider-profile.js";
import type { AgentProcessInfo } from "./provider/workload-runner.js";
import type { AlertReceiversControl, DevnetReceiversInfo } from "./receivers/index.js";

export interface DevnetOptions {
  /** Block interval in ms (default 1000; mainnet is ~6000; tests use 50–200). */
  readonly blockTimeMs?: number;
  /** Number of simulated providers (default 5) or their full profiles. */
  readonly providers?: number | readonly ProviderProfile[];
  readonly chainId?: string;
  /** Fixed ports (0 or omitted = any free loopback port). */
  readonly ports?: Partial<
    Record<
      | "rpc"
      | "grpc"
      | "faucet"
      | "control"
      | "consoleApi"
      | "cronosRpc"
      | "nostrRelay"
      | "receivers"
      | "arweaveGateway"
      | "dns",
      number
    >
  >;
  /** A lease whose manifest has not arrived after this long is dropped by its provider (default 300000). */
  readonly manifestTimeoutMs?: number;
  /** Providers close bids that were not accepted within this long (default 300000). */
  readonly bidTimeoutMs?: number;
  /** Providers withdraw lease earnings every this many blocks (default 100; 0 = only when leases close). */
  readonly providerWithdrawalBlocks?: number;
  /** Simulated services report ready this long after their manifest arrived (default 2000). */
  readonly workloadStartDelayMs?: number;
  /** The agent's own image: providers run it as a local process with `agentCommand`. */
  readonly agentImage?: string;
  readonly agentCommand?: readonly string[];
  readonly agentEnv?: Readonly<Record<string, string>>;
  readonly agentCwd?: string;
  /** Directory for the agent processes' stdout/stderr logs (default: discarded). */
  readonly agentLogDir?: string;
  /**
   * Where agent processes' persistent volumes live (`<root>/<owner>-<dseq>-<service>-<volume>`, deleted
   * when the lease closes). Default with `agentCommand`: a temporary directory removed at stop.
   */
  readonly agentVolumeRoot?: string;
  /** Seed of the providers' reliability rolls (default 1). */
  readonly seed?: number;
  /** Validator min-gas-prices in uakt per gas (default "0.025"). */
  readonly minGasPrice?: string;
  /** Oracle price of 1 AKT in USD/ACT (default "1.25"). */
  readonly aktPriceUsd?: string;
  /** Blocks per BME mint epoch (default 10). */
  readonly bmeEpochBlocks?: number;
  /** The Cronos EVM stand-in (Uniswap V2, AKT token, IBC relayer): on by default; `false` leaves it out. */
  readonly cronos?: boolean | CronosDevnetOptions;
  /** The Nostr relay (NIP-01/11/42, events in SQLite): on by default; `false` leaves it out. */
  readonly nostr?: boolean;
  /** The alert receivers (JSON webhook, Slack webhook, Telegram Bot API): on by default; `false` leaves them out. */
  readonly receivers?: boolean;
  /**
   * The Arweave gateway stand-in (arlocal: transactions, ANS-104 bundles, GraphQL): on by default; `false`
   * leaves it out. Its data lives in a temporary directory for the run, also with `dataDir`.
   */
  readonly arweave?: boolean | ArweaveDevnetOptions;
  /** The DNS server for the providers' ingress names (UDP): on by default; `false` leaves it out. */
  readonly dns?: boolean;
  /**
   * Keeps the chain (state, blocks, txs) in `<dataDir>/chain.json`, written after every block and at stop,
   * and continues from it at the next start with the same chain id; the relay's events in
   * `<dataDir>/nostr-events.sqlite`.
   */
  readonly dataDir?: string;
}

export interface DevnetProviderInfo {
  readonly address: string;
  readonly hostUri: string;
  readonly region: string;
  readonly audited: boolean;
}

/** What a client needs to reach the devnet (printed by `akash-agent devnet --json`, served at `/endpoints`). */
export interface DevnetEndpoints {
  readonly chainId: string;
  readonly rpc: string;
  /** CometBFT WebSocket (`ws://127.0.0.1:<rpc port>/websocket`): JSON-RPC plus event subscriptions. */
  readonly websocket: string;
  readonly grpc: string;
  readonly faucet: string;
  readonly control: string;
  readonly consoleApi: string;
  readonly blockTimeMs: number;
  /** Accounts that sign provider attributes on this devnet (what `signedBy` and audit scores trust). */
  readonly auditors: readonly string[];
  readonly providers: readonly DevnetProviderInfo[];
  /** The Cronos EVM stand-in (absent with `cronos: false`). */
  readonly cronos?: DevnetCronosInfo;
  /** The Nostr relay (absent with `nostr: false`). */
  readonly nostr?: DevnetNostrInfo;
  /** Where to point each alert channel (absent with `receivers: false`). */
  readonly receivers?: DevnetReceiversInfo;
  /** The Arweave gateway stand-in (absent with `arweave: false`). */
  readonly arweave?: DevnetArweaveInfo;
  /**
   * The DNS server for the leases' ingress names (`<hash>.ingress.<provider>.devnet.localhost`), as
   * `127.0.0.1:<port>` over UDP: what to point a resolver at (absent with `dns: false`).
   */
  readonly dns?: string;
}

export interface LeaseIdInput {
  readonly owner: string;
  readonly dseq: string | number | bigint;
  readonly gseq?: number;
  readonly oseq?: number;
  readonly provider: string;
}

export interface TxFaultInput {
  /** Only a tx signed by this address fails (default: the next tx from anyone). */
  readonly address?: string;
  /** "deliverTx" (default): included in a block with the error, fee charged; "checkTx": rejected at broadcast. */
  readonly stage?: "checkTx" | "deliverTx";
  readonly code?: number;
  readonly log?: string;
}

/** Fault injection, in-process (these methods) and over the control API (same names as routes). */
export interface DevnetFaults {
  setProviderOnline(provider: string, online: boolean): Promise<void>;
  degradeProvider(provider: string, health: ProviderHealth): void;
  reclaimLease(lease: LeaseIdInput, windowMs: number): Promise<{ deadline: number; height: string }>;
  closeLease(lease: LeaseIdInput, reason?: number): Promise<void>;
  injectRpcFault(spec: RpcFaultSpec): void;
  clearRpcFaults(): void;
  failNextTx(spec?: TxFaultInput): void;
  drainAccount(address: string, denom?: string): Promise<void>;
  drainEscrow(owner: string, dseq: string | number | bigint): Promise<void>;
}

export interface DevnetHandle extends DevnetEndpoints, DevnetFaults {
  /** The same JSON as `GET {control}/endpoints`. */
  endpoints(): DevnetEndpoints;
  fund(address: string, amount: bigint | number | string, denom?: "uakt" | "uact"): Promise<FundResult>;
  height(): bigint;
  /** The Cronos stand-in's faucet, faults and bridge transfers (absent with `cronos: false`). */
  readonly cronosControl?: CronosDevnetControl;
  /** The relay's faults and status (absent with `nostr: false`). */
  readonly nostrControl?: NostrDevnetControl;
  /** What the receivers got, and their faults (absent with `receivers: false`). */
  readonly receiversControl?: AlertReceiversControl;
  /** The Arweave stand-in's faucet, mining and gateway faults (absent with `arweave: false`). */
  readonly arweaveControl?: ArweaveDevnetControl;
  /** The DNS server's faults and status (absent with `dns: false`). */
  readonly dnsControl?: DnsDevnetControl;
  /** Images whose agent processes exit at start on every provider (`images/fail`, `images/heal`). */
  readonly failingImages: FailingImages;
  /** Resolves once the chain has committed a block at or above `height`. */
  waitForHeight(height: bigint): Promise<void>;
  /** The agent processes the providers started (command, environment, volumes, log file). */
  agentProcesses(): AgentProcessInfo[];
  /** Stops every server, timer and child process. */
  stop(): Promise<void>;
}
