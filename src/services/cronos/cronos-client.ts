import { getAddress, JsonRpcProvider, Network, Transaction, type TransactionRequest, Wallet } from "ethers";
import type { Secret } from "../keys/index.js";
import { aktTokenAbi, routerAbi } from "./cronos-abis.js";
import type { CronosEndpoints } from "./cronos-endpoints.js";
import { CronosRpcError } from "./cronos-errors.js";

/** EIP-1559 fees of one transaction, wei. */
export interface Eip1559Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** What a mined transaction did, as far as the treasury cares. */
export interface MinedTx {
  readonly hash: string;
  readonly blockNumber: number;
  readonly succeeded: boolean;
  /** gasUsed × effectiveGasPrice, wei. */
  readonly feeWei: bigint;
  /** AKT token units moved to the agent's address by this transaction (Transfer logs). */
  readonly aktReceived: bigint;
}

/** The call a leg signs: target, calldata, CRO sent and an explicit gas limit. */
export interface EvmCall {
  readonly to: string;
  readonly data: string;
  readonly value: bigint;
  readonly gasLimit: bigint;
}

/** A signed transaction: its raw bytes (0x hex) and hash. */
export interface SignedTx {
  readonly rawTx: string;
  readonly hash: string;
}

const SWAP_GAS = 250_000n;
/** Gas of a plain value transfer to an address without code (the EVM's fixed intrinsic cost). */
export const TRANSFER_GAS = 21_000n;
const SEND_TO_IBC_GAS = 150_000n;

function isAlreadyKnown(message: string): boolean {
  return /already known|known transaction|already imported|nonce too low|replacement transaction underpriced/i.test(
    message,
  );
}

/**
 * The agent's account on Cronos through ethers v6: balances, the DEX quote, EIP-1559 fees from the
 * node, and transactions signed locally with an explicit nonce (so the bytes can be stored before
 * they are sent) and sent raw.
 */
export class CronosClient {
  readonly address: string;
  readonly endpoints: CronosEndpoints;
  private readonly provider: JsonRpcProvider;
  private readonly wallet: Wallet;

  constructor(endpoints: CronosEndpoints, privateKey: Secret<string>) {
    this.endpoints = endpoints;
    this.provider = new JsonRpcProvider(endpoints.rpc, Network.from(endpoints.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
      cacheTimeout: -1,
    });
    this.wallet = new Wallet(privateKey.reveal());
    this.address = this.wallet.address;
  }

  /** Checks that the node serves the configured chain (a devnet key must never sign for Cronos). */
  async checkChain(): Promise<void> {
    const served = BigInt(await this.rpc<string>("eth_chainId", []));
    if (served !== BigInt(this.endpoints.chainId)) {
      throw new CronosRpcError(
        `the Cronos node at ${nodeOrigin(this.endpoints.rpc)} serves chain ${served}, not ${this.endpoints.chainId}: fix treasury.cronos.<network>.chainId or the rpc`,
      );
    }
  }

  async croWei(address = this.address): Promise<bigint> {
    return this.wrapped("eth_getBalance", () => this.provider.getBalance(address, "latest"));
  }

  async aktUnits(address = this.address): Promise<bigint> {
    const data = aktTokenAbi.encodeFunctionData("balanceOf", [address]);
    const result = await this.rpc<string>("eth_call", [{ to: this.endpoints.akt, data }, "latest"]);
    return aktTokenAbi.decodeFunctionResult("balanceOf", result)[0] as bigint;
  }

  /** The latest block number: pin related reads to one block so that they see one pool state. */
  async blockNumber(): Promise<number> {
    return this.wrapped("eth_blockNumber", () => this.provider.getBlockNumber());
  }

  /** CRO (wei) the router asks for `aktUnits` of AKT (`getAmountsIn`) at block `at`. */
  async croNeededFor(aktUnits: bigint, at: number): Promise<bigint> {
    const amounts = await this.callRouter("getAmountsIn", [aktUnits, this.path()], at);
    return amounts[0]!;
  }

  /** AKT units the router gives for `croWei` (`getAmountsOut`) at block `at`: the quote the slippage check uses. */
  async quoteAktFor(croWei: bigint, at: number): Promise<bigint> {
    const amounts = await this.callRouter("getAmountsOut", [croWei, this.path()], at);
    return amounts[1]!;
  }

  swapCall(input: { croWei: bigint; amountOutMin: bigint; deadlineSeconds: number }): EvmCall {
    return {
      to: this.endpoints.router,
      data: routerAbi.encodeFunctionData("swapExactETHForTokens", [
        input.amountOutMin,
        this.path(),
        this.address,
        BigInt(input.deadlineSeconds),
      ]),
      value: input.croWei,
      gasLimit: SWAP_GAS,
    };
  }

  /** A plain CRO transfer of `wei` to `to` (no calldata). */
  transferCall(to: string, wei: bigint): EvmCall {
    return { to: getAddress(to), data: "0x", value: wei, gasLimit: TRANSFER_GAS };
  }

  sendToIbcCall(input: { recipient: string; aktUnits: bigint }): EvmCall {
    return {
      to: this.endpoints.akt,
      data: aktTokenAbi.encodeFunctionData("send_to_ibc", [input.recipient, input.aktUnits]),
      value: 0n,
      gasLimit: SEND_TO_IBC_GAS,
    };
  }

  /** The next nonce counting transactions still in the mempool. */
  async pendingNonce(): Promise<number> {
    return this.wrapped("eth_getTransactionCount", () =>
      this.provider.getTransactionCount(this.address, "pending"),
    );
  }

  /** The next nonce counting only mined transactions. */
  async minedNonce(): Promise<number> {
    return this.wrapped("eth_getTransactionCount", () =>
      this.provider.getTransactionCount(this.address, "latest"),
    );
  }

  /** EIP-1559 fees as the node suggests them (base fee of the latest block and its priority fee). */
  async suggestedFees(): Promise<Eip1559Fees & { baseFeePerGas: bigint }> {
    const block = await this.wrapped("eth_getBlockByNumber", () => this.provider.getBlock("latest"));
    const baseFeePerGas = block?.baseFeePerGas ?? 0n;
    let priority: bigint;
    try {
      priority = BigInt(await this.rpc<string>("eth_maxPriorityFeePerGas", []));
    } catch {
      priority = 1_000_000_000n;
    }
    return { baseFeePerGas, maxPriorityFeePerGas: priority, maxFeePerGas: baseFeePerGas * 2n + priority };
  }

  async sign(call: EvmCall, nonce: number, fees: Eip1559Fees): Promise<SignedTx> {
    const request: TransactionRequest = {
      type: 2,
      chainId: this.endpoints.chainId,
      nonce,
      to: call.to,
      data: call.data,
      value: call.value,
      gasLimit: call.gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    };
    const rawTx = await this.wallet.signTransaction(request);
    return { rawTx, hash: Transaction.from(rawTx).hash! };
  }

  /** Sends a signed transaction; one the node already has (or has mined) is not an error. */
  async broadcast(rawTx: string): Promise<void> {
    try {
      await this.rpc<string>("eth_sendRawTransaction", [rawTx]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isAlreadyKnown(message)) return;
      throw error;
    }
  }

  /** The mined result of `hash`, or null while it is not in a block (or unknown to the node). */
  async mined(hash: string): Promise<MinedTx | null> {
    const receipt = await this.wrapped("eth_getTransactionReceipt", () =>
      this.provider.getTransactionReceipt(hash),
    );
    if (!receipt) return null;
    const transfer = aktTokenAbi.getEvent("Transfer")!;
    let aktReceived = 0n;
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.endpoints.akt.toLowerCase()) continue;
      if (log.topics[0] !== transfer.topicHash) continue;
      const parsed = aktTokenAbi.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed && (parsed.args[1] as string).toLowerCase() === this.address.toLowerCase()) {
        aktReceived += parsed.args[2] as bigint;
      }
    }
    return {
      hash,
      blockNumber: receipt.blockNumber,
      succeeded: receipt.status === 1,
      feeWei: receipt.gasUsed * receipt.gasPrice,
      aktReceived,
    };
  }

  /** Whether the node knows the transaction at all (mined or in its mempool). */
  async known(hash: string): Promise<boolean> {
    return (
      (await this.wrapped("eth_getTransactionByHash", () => this.provider.getTransaction(hash))) !== null
    );
  }

  /** AKT minted back to the agent (a refunded bridge transfer) in blocks after `afterBlock`. */
  async aktMintedToSelfSince(afterBlock: number): Promise<bigint> {
    const transfer = aktTokenAbi.getEvent("Transfer")!;
    const pad = (address: string) => `0x${address.slice(2).toLowerCase().padStart(64, "0")}`;
    const logs = await this.wrapped("eth_getLogs", () =>
      this.provider.getLogs({
        address: this.endpoints.akt,
        topics: [transfer.topicHash, pad("0x0000000000000000000000000000000000000000"), pad(this.address)],
        fromBlock: afterBlock + 1,
        toBlock: "latest",
      }),
    );
    return logs.reduce((sum, log) => sum + BigInt(log.data), 0n);
  }

  close(): void {
    this.provider.destroy();
  }

  private path(): string[] {
    return [this.endpoints.wcro, this.endpoints.akt];
  }

  private async callRouter(
    name: "getAmountsIn" | "getAmountsOut",
    args: unknown[],
    at: number,
  ): Promise<bigint[]> {
    const data = routerAbi.encodeFunctionData(name, args);
    const block = `0x${at.toString(16)}`;
    const result = await this.rpc<string>("eth_call", [{ to: this.endpoints.router, data }, block]);
    return [...(routerAbi.decodeFunctionResult(name, result)[0] as bigint[])];
  }

  private rpc<T>(method: string, params: unknown[]): Promise<T> {
    return this.wrapped(method, async () => (await this.provider.send(method, params)) as T);
  }

  /** Every call to the node fails the same way: naming the method and the node, whichever ethers call it was. */
  private async wrapped<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // The node by its origin only: a provider's URL may carry an API key in its path or query.
      const node = nodeOrigin(this.endpoints.rpc);
      const message = (error instanceof Error ? error.message : String(error)).replaceAll(
        this.endpoints.rpc,
        node,
      );
      throw new CronosRpcError(`Cronos ${method} at ${node} failed: ${message}`);
    }
  }
}

/** `https://host:port` of a node URL, without the path or query where providers put API keys. */
function nodeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the configured Cronos RPC";
  }
}
