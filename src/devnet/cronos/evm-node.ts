import type { IncomingMessage, ServerResponse } from "node:http";
import type { JsonRpcHandler } from "hardhat/internal/hardhat-network/jsonrpc/handler.js";
import type { EIP1193Provider } from "hardhat/types/provider.js";
import { LoopbackHttpServer, sendJson } from "../http-utils.js";

/** How the Cronos JSON-RPC endpoint misbehaves: JSON-RPC errors (HTTP 503) or a closed port. */
export type CronosRpcFaultMode = "error" | "refuse";

export interface EvmAccount {
  readonly address: string;
  readonly privateKey: string;
  readonly balanceWei: bigint;
}

export interface EvmNodeOptions {
  readonly chainId: number;
  readonly accounts: readonly EvmAccount[];
}

export interface EvmTx {
  readonly from: string;
  readonly to?: string;
  readonly data?: string;
  readonly value?: bigint;
  readonly gas?: bigint;
}

export interface EvmReceipt {
  readonly transactionHash: string;
  readonly blockNumber: bigint;
  readonly contractAddress: string | null;
  readonly status: "success" | "reverted";
}

interface RawReceipt {
  transactionHash: string;
  blockNumber: string;
  contractAddress: string | null;
  status: string;
}

const hex = (value: bigint) => `0x${value.toString(16)}`;

/** Cronos's current EVM rules are Cancun-level; the stand-in runs the same hardfork. */
const HARDFORK = "cancun";
const BLOCK_GAS_LIMIT = 30_000_000;

/**
 * A Hardhat 2 (EDR) EVM in this process, auto-mining one block per transaction, served as Ethereum
 * JSON-RPC over HTTP on loopback. The devnet itself calls the in-process provider (unaffected by RPC
 * faults, as the real chain keeps running while an RPC node is down); clients go through the HTTP port.
 */
export class EvmNode {
  readonly chainId: number;
  private readonly provider: EIP1193Provider;
  private readonly http: LoopbackHttpServer;
  private port = 0;
  private listening = false;
  private fault: CronosRpcFaultMode | undefined;

  private constructor(chainId: number, provider: EIP1193Provider, handler: JsonRpcHandler) {
    this.chainId = chainId;
    this.provider = provider;
    this.http = new LoopbackHttpServer((req, res) => this.handle(handler, req, res));
  }

  static async create(options: EvmNodeOptions): Promise<EvmNode> {
    // Loaded on first use, so CLI commands other than `devnet` do not pay for Hardhat's modules.
    const [{ createHardhatNetworkProvider }, { JsonRpcHandler }] = await Promise.all([
      import("hardhat/internal/hardhat-network/provider/provider.js"),
      import("hardhat/internal/hardhat-network/jsonrpc/handler.js"),
    ]);
    const provider = await createHardhatNetworkProvider(
      {
        hardfork: HARDFORK,
        chainId: options.chainId,
        networkId: options.chainId,
        blockGasLimit: BLOCK_GAS_LIMIT,
        minGasPrice: 0n,
        automine: true,
        intervalMining: 0,
        mempoolOrder: "priority",
        chains: new Map(),
        genesisAccounts: options.accounts.map((a) => ({ privateKey: a.privateKey, balance: a.balanceWei })),
        allowUnlimitedContractSize: false,
        // A reverting tx is mined with status 0 and its hash returned, as a real node does.
        throwOnTransactionFailures: false,
        throwOnCallFailures: true,
        // Many auto-mined blocks within one second keep wall-clock timestamps (no drift into the future,
        // which would make deadlines in seconds expire early).
        allowBlocksWithSameTimestamp: true,
        enableTransientStorage: false,
        enableRip7212: false,
      },
      { enabled: false },
    );
    return new EvmNode(options.chainId, provider, new JsonRpcHandler(provider));
  }

  /** Listens on loopback (port 0 = any free port) and resolves with the JSON-RPC URL. */
  async start(port = 0): Promise<string> {
    const url = await this.http.start(port);
    this.port = Number(new URL(url).port);
    this.listening = true;
    return url;
  }

  async stop(): Promise<void> {
    this.listening = false;
    await this.http.stop();
  }

  get rpcFault(): CronosRpcFaultMode | undefined {
    return this.fault;
  }

  /** "error": every call answers HTTP 503 with a JSON-RPC error; "refuse": the port is closed. */
  async setRpcFault(mode: CronosRpcFaultMode | undefined): Promise<void> {
    this.fault = mode;
    if (mode === "refuse" && this.listening) {
      this.listening = false;
      await this.http.stop();
    } else if (mode !== "refuse" && !this.listening && this.port !== 0) {
      await this.http.start(this.port);
      this.listening = true;
    }
  }

  request<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    return this.provider.request({ method, params: [...params] }) as Promise<T>;
  }

  async blockNumber(): Promise<bigint> {
    return BigInt(await this.request<string>("eth_blockNumber"));
  }

  async call(to: string, data: string): Promise<string> {
    return this.request<string>("eth_call", [{ to, data }, "latest"]);
  }

  /** Sends from one of the node's own (genesis) accounts; auto-mining means the receipt exists at once. */
  async send(tx: EvmTx): Promise<EvmReceipt> {
    const hash = await this.request<string>("eth_sendTransaction", [
      {
        from: tx.from,
        ...(tx.to !== undefined ? { to: tx.to } : {}),
        ...(tx.data !== undefined ? { data: tx.data } : {}),
        ...(tx.value !== undefined ? { value: hex(tx.value) } : {}),
        ...(tx.gas !== undefined ? { gas: hex(tx.gas) } : {}),
      },
    ]);
    const raw = await this.request<RawReceipt | null>("eth_getTransactionReceipt", [hash]);
    if (!raw) throw new Error(`cronos devnet: no receipt for ${hash} (auto-mining is off?)`);
    return {
      transactionHash: raw.transactionHash,
      blockNumber: BigInt(raw.blockNumber),
      contractAddress: raw.contractAddress,
      status: raw.status === "0x1" ? "success" : "reverted",
    };
  }

  /** Like {@link send}, but a reverted tx throws (for the devnet's own set-up and bridge transactions). */
  async sendOk(tx: EvmTx, what: string): Promise<EvmReceipt> {
    const receipt = await this.send(tx);
    if (receipt.status !== "success")
      throw new Error(`cronos devnet: ${what} reverted (tx ${receipt.transactionHash})`);
    return receipt;
  }

  private async handle(handler: JsonRpcHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.fault === "error") {
      req.resume();
      sendJson(res, 503, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32603, message: "devnet fault injection: Cronos RPC unavailable" },
      });
      return;
    }
    await handler.handleHttp(req, res);
  }
}
