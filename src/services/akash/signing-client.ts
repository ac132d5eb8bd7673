import { TxRaw } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { toHex } from "@cosmjs/encoding";
import { type DirectSecp256k1HdWallet, decodeTxRaw, type EncodeObject } from "@cosmjs/proto-signing";
import { calculateFee, GasPrice, SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { Comet38Client, type RpcClient } from "@cosmjs/tendermint-rpc";
import { txHashOf } from "../../domain/index.js";
import { akashRegistry } from "./akash-messages.js";
import type { ChainRejection } from "./chain-failures.js";
import type { TxEvent } from "./escrow-refunds.js";

export interface SignerAccount {
  readonly accountNumber: number;
  readonly sequence: number;
}

export interface SignedTx {
  readonly bytes: Uint8Array;
  /** Upper-case hex SHA-256 of the bytes, as CometBFT indexes it. */
  readonly hash: string;
  readonly sequence: number;
}

/** A transaction found in a block: `code` 0 is success, anything else a failed DeliverTx (fee charged). */
export interface IncludedTx extends ChainRejection {
  readonly hash: string;
  readonly height: number;
  readonly codespace: string;
  /** The events its execution emitted (bank transfers, escrow and market events …). */
  readonly events: readonly TxEvent[];
}

export type BroadcastAnswer =
  | { readonly status: "accepted" }
  /** The node already has these bytes (pending or committed): the tx is in flight. */
  | { readonly status: "in_cache" }
  | { readonly status: "rejected"; readonly rejection: Required<ChainRejection> };

export interface SigningClientOptions {
  /** The CometBFT RPC transport (an HTTP client, or a primary with fallbacks). */
  readonly rpc: RpcClient;
  readonly wallet: DirectSecp256k1HdWallet;
  readonly address: string;
  /** uakt per gas, e.g. "0.025uakt". */
  readonly gasPrice: string;
  /** Gas limit = simulated gas × this. */
  readonly gasMultiplier: number;
  /** Set on a child: every fee is paid through this account's feegrant allowance (`fee.granter`). */
  readonly feeGranter?: string;
}

const IN_CACHE = /tx already exists in cache/i;
const SDK_TX_IN_MEMPOOL = 19;

/** The signer sequence a signed tx was made for. */
export function sequenceOfTx(bytes: Uint8Array): number {
  const signer = decodeTxRaw(bytes).authInfo.signerInfos[0];
  if (!signer) throw new Error("signed tx has no signer info");
  return Number(signer.sequence);
}

/**
 * The CometBFT side of signing: simulate, sign with explicit signer data, broadcast (sync) and look
 * transactions up by hash — separate steps, so the executor can record the signed bytes in between.
 * cosmjs's SigningStargateClient with chain-sdk's message codecs, over one Comet 0.38 client.
 */
export class SigningClient {
  private constructor(
    private readonly comet: Comet38Client,
    private readonly client: SigningStargateClient,
    private readonly options: SigningClientOptions,
  ) {}

  static connect(options: SigningClientOptions): SigningClient {
    const comet = Comet38Client.create(options.rpc);
    const client = SigningStargateClient.createWithSigner(comet, options.wallet, {
      registry: akashRegistry(),
    });
    return new SigningClient(comet, client, options);
  }

  get address(): string {
    return this.options.address;
  }

  /** The chain id the RPC node reports (`status.node_info.network`). */
  async chainId(): Promise<string> {
    return (await this.comet.status()).nodeInfo.network;
  }

  async height(): Promise<number> {
    return (await this.comet.status()).syncInfo.latestBlockHeight;
  }

  /** Account number and the committed sequence (the next tx to be included must carry it). */
  async account(): Promise<SignerAccount> {
    const { accountNumber, sequence } = await this.client.getSequence(this.options.address);
    return { accountNumber, sequence };
  }

  /**
   * Gas from a simulation (rejections surface here first), fee in uakt at the configured price, paid
   * by the fee granter when there is one.
   */
  async estimateFee(messages: readonly EncodeObject[], memo: string): Promise<StdFee> {
    const gasUsed = await this.client.simulate(this.options.address, messages, memo);
    const gasLimit = Math.ceil(gasUsed * this.options.gasMultiplier);
    const fee = calculateFee(gasLimit, GasPrice.fromString(this.options.gasPrice));
    return this.options.feeGranter ? { ...fee, granter: this.options.feeGranter } : fee;
  }

  async sign(
    messages: readonly EncodeObject[],
    fee: StdFee,
    memo: string,
    account: SignerAccount,
    chainId: string,
  ): Promise<SignedTx> {
    const raw = await this.client.sign(this.options.address, messages, fee, memo, {
      accountNumber: account.accountNumber,
      sequence: account.sequence,
      chainId,
    });
    const bytes = TxRaw.encode(raw).finish();
    return { bytes, hash: txHashOf(bytes), sequence: account.sequence };
  }

  /** CheckTx only (broadcast_tx_sync); inclusion is looked up separately. */
  async broadcast(bytes: Uint8Array): Promise<BroadcastAnswer> {
    try {
      const result = await this.comet.broadcastTxSync({ tx: bytes });
      if (result.code === 0) return { status: "accepted" };
      if (result.code === SDK_TX_IN_MEMPOOL && (result.codespace ?? "sdk") === "sdk")
        return { status: "in_cache" };
      return {
        status: "rejected",
        rejection: { code: result.code, codespace: result.codespace ?? "", log: result.log ?? "" },
      };
    } catch (error) {
      // CometBFT's mempool cache answers a duplicate with a JSON-RPC error before the app sees it.
      if (error instanceof Error && IN_CACHE.test(error.message)) return { status: "in_cache" };
      throw error;
    }
  }

  /** The tx with this hash if a block holds it (tx_search, as cosmjs's getTx does). */
  async findTx(hash: string): Promise<IncludedTx | null> {
    const found = await this.comet.txSearchAll({ query: `tx.hash='${hash}'` });
    const tx = found.txs[0];
    if (!tx) return null;
    return {
      hash: toHex(tx.hash).toUpperCase(),
      height: tx.height,
      code: tx.result.code,
      codespace: tx.result.codespace ?? "",
      log: tx.result.log ?? "",
      events: tx.result.events.map((event) => ({
        type: event.type,
        attributes: event.attributes.map(({ key, value }) => ({ key, value })),
      })),
    };
  }

  disconnect(): void {
    this.client.disconnect();
  }
}
