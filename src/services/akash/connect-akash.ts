import type { Logger } from "../../logging/index.js";
import type { AkashWallets } from "../keys/index.js";
import type { AgentStore } from "../store/index.js";
import { AkashChainClient } from "./akash-chain-client.js";
import type { AkashEndpoints } from "./akash-endpoints.js";
import { AkashEndpointError, ChainIdMismatchError } from "./akash-errors.js";
import type { AkashChain, ProviderDirectory, ProviderGateway } from "./akash-service.js";
import { BlockWatch } from "./block-watch.js";
import { describeTransportError } from "./chain-failures.js";
import { ChainQueries } from "./chain-queries.js";
import { type ChildGrants, ChildGrantsClient } from "./child-grants.js";
import { ConsoleDirectory } from "./console-directory.js";
import { HeightWatermark } from "./endpoint-failover.js";
import { FailoverRpcClient } from "./failover-rpc-client.js";
import { GrantQueries } from "./grant-queries.js";
import { grpcFailover } from "./grpc-failover.js";
import { ProviderCertificates } from "./provider-certificates.js";
import { ProviderGatewayClient } from "./provider-gateway-client.js";
import { ProviderTokens } from "./provider-tokens.js";
import { SigningClient } from "./signing-client.js";
import { TxExecutor, type TxStepHook } from "./tx-executor.js";

export interface ConnectAkashOptions {
  /** Gas price for fees, uakt per gas. Default "0.025uakt" (the usual validator minimum). */
  readonly gasPrice?: string;
  /** Gas limit = simulated gas × this. Default 1.3 (chain-sdk's). */
  readonly gasMultiplier?: number;
  /** How often a broadcast tx is looked up until a block holds it. Default 1000 ms; use ~50 on a fast devnet. */
  readonly broadcastPollIntervalMs?: number;
  /**
   * Follow new blocks over the RPC node's CometBFT WebSocket (`/websocket`), so that txs, bids and
   * leases are looked at in the block they land in; the polls above stay as the fallback. Default true.
   */
  readonly subscribeToBlocks?: boolean;
  /** How long to wait for a block to hold a tx before answering `retryable`. Default 60 s. */
  readonly broadcastTimeoutMs?: number;
  /** Per CometBFT JSON-RPC call. Default 15 s. */
  readonly rpcTimeoutMs?: number;
  /** Per gRPC query. Default 15 s. */
  readonly queryTimeoutMs?: number;
  /** Per provider status request and Console API request. Default 15 s. */
  readonly providerRequestTimeoutMs?: number;
  /** Per manifest upload (a provider may hold it up to 120 s). Default 150 s. */
  readonly manifestTimeoutMs?: number;
  /** Provider JWT lifetime. Default 600 s (AEP-64 recommends ≤ 15 min). */
  readonly jwtLifetimeSeconds?: number;
  /** How long providers' on-chain certificates are kept before being looked up again. Default 5 min. */
  readonly certificateCacheMs?: number;
  /** Memo of every tx. Default "akash-agent". */
  readonly memo?: string;
  /** Current time in ms (JWT times, caches). Default Date.now. */
  readonly now?: () => number;
  /** Runs at each step of every transaction (fault injection for crash tests). */
  readonly onTxStep?: TxStepHook;
  readonly logger?: Logger;
}

export interface ConnectAkashInput {
  readonly endpoints: AkashEndpoints;
  readonly wallets: AkashWallets;
  /** The agent's store: its `intents` make transactions idempotent across crashes. */
  readonly store: Pick<AgentStore, "intents"> & Partial<Pick<AgentStore, "leadership">>;
  readonly options?: ConnectAkashOptions;
  /**
   * A child's parent (`reproduction.parent.akash`): deposits with sources=[grant] and every fee through
   * that account's feegrant. Unset: the account pays from its own balance, as always.
   */
  readonly fundedBy?: string;
}

export interface AkashConnection {
  readonly chain: AkashChain;
  readonly gateway: ProviderGateway;
  readonly directory: ProviderDirectory;
  /** The account's grants to its children (the parent side of a child's budget). */
  readonly childGrants: ChildGrants;
}

/**
 * Connects to Akash as the agent's account: checks that the RPC and gRPC nodes both serve the
 * configured chain id (a clear error naming both otherwise), then wires the chain client, the
 * provider gateway client and the Console directory. The wallets are revealed here and nowhere else.
 */
export async function connectAkash(input: ConnectAkashInput): Promise<AkashConnection> {
  const { endpoints, wallets, store } = input;
  const options = input.options ?? {};
  const now = options.now ?? Date.now;
  const requestTimeoutMs = options.providerRequestTimeoutMs ?? 15_000;

  // Reads never go backwards: a fallback behind the highest block already read is not used.
  const watermark = new HeightWatermark();
  const onSwitch = (what: string) => (from: string, to: string, why: unknown) =>
    options.logger?.warn(
      { from, to, reason: describeTransportError(why) },
      `${what} endpoint unreachable: switched to a fallback`,
    );
  const rpc = new FailoverRpcClient({
    urls: [endpoints.rpc, ...(endpoints.rpcFallbacks ?? [])],
    chainId: endpoints.chainId,
    timeoutMs: options.rpcTimeoutMs ?? 15_000,
    watermark,
    onSwitch: onSwitch("Akash RPC"),
  });
  const signer = SigningClient.connect({
    rpc,
    wallet: wallets.direct.reveal(),
    address: wallets.address,
    gasPrice: options.gasPrice ?? "0.025uakt",
    gasMultiplier: options.gasMultiplier ?? 1.3,
    ...(input.fundedBy ? { feeGranter: input.fundedBy } : {}),
  });
  const grpc = grpcFailover({
    urls: [endpoints.grpc, ...(endpoints.grpcFallbacks ?? [])],
    chainId: endpoints.chainId,
    timeoutMs: options.queryTimeoutMs ?? 15_000,
    watermark,
    onSwitch: onSwitch("Akash gRPC"),
  });
  const queries = new ChainQueries(grpc);
  const grants = new GrantQueries(grpc);

  try {
    await checkChainId(endpoints, signer, queries);
  } catch (error) {
    signer.disconnect();
    throw error;
  }

  const blocks =
    options.subscribeToBlocks === false
      ? undefined
      : new BlockWatch({ rpc: endpoints.rpc, ...(options.logger ? { logger: options.logger } : {}) });
  const executor = new TxExecutor({
    signer,
    ...(blocks ? { blocks } : {}),
    intents: store.intents,
    ...(store.leadership ? { leadership: store.leadership } : {}),
    chainId: endpoints.chainId,
    pollIntervalMs: options.broadcastPollIntervalMs ?? 1_000,
    inclusionTimeoutMs: options.broadcastTimeoutMs ?? 60_000,
    memo: options.memo ?? "akash-agent",
    ...(options.onTxStep ? { onStep: options.onTxStep } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const chain = new AkashChainClient({
    chainId: endpoints.chainId,
    owner: wallets.address,
    queries,
    signer,
    executor,
    ...(blocks ? { blocks } : {}),
    ...(input.fundedBy ? { grantFunding: { parent: input.fundedBy, grants } } : {}),
  });
  const childGrants = new ChildGrantsClient({ granter: wallets.address, grants, executor, now });
  const gateway = new ProviderGatewayClient({
    now,
    certificates: new ProviderCertificates(
      (p) => queries.certificates(p),
      options.certificateCacheMs ?? 300_000,
      now,
    ),
    tokens: new ProviderTokens({
      issuer: wallets.address,
      signer: wallets.amino.reveal(),
      lifetimeSeconds: options.jwtLifetimeSeconds ?? 600,
      renewBeforeSeconds: 60,
      now,
    }),
    requestTimeoutMs,
    manifestTimeoutMs: options.manifestTimeoutMs ?? 150_000,
  });
  const directory = new ConsoleDirectory(endpoints.consoleApi, requestTimeoutMs);
  return { chain, gateway, directory, childGrants };
}

async function checkChainId(
  endpoints: AkashEndpoints,
  signer: SigningClient,
  queries: ChainQueries,
): Promise<void> {
  let rpcChainId: string;
  try {
    rpcChainId = await signer.chainId();
  } catch (error) {
    throw new AkashEndpointError(
      `cannot reach the Akash RPC at ${endpoints.rpc} (${describeTransportError(error)}); check the rpc endpoint`,
      { cause: error },
    );
  }
  if (rpcChainId !== endpoints.chainId)
    throw new ChainIdMismatchError(endpoints.chainId, rpcChainId, endpoints.rpc);
  let grpcChainId: string;
  try {
    grpcChainId = await queries.nodeChainId();
  } catch (error) {
    throw new AkashEndpointError(
      `cannot reach the Akash gRPC endpoint at ${endpoints.grpc} (${describeTransportError(error)}); check the grpc endpoint`,
      { cause: error },
    );
  }
  if (grpcChainId !== endpoints.chainId) {
    throw new ChainIdMismatchError(endpoints.chainId, grpcChainId, endpoints.grpc);
  }
}
