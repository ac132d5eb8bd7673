import { PubKey } from "@akashnetwork/chain-sdk/private-types/cosmos.secp256k1";
import { AuthInfo, TxBody, TxRaw } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { fromBase64, toHex } from "@cosmjs/encoding";
import type { AccountData, DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { Chain, TxResultRecord } from "./chain/chain.js";
import type { EncodedAny } from "./chain/msg-handler.js";

const GAS_MULTIPLIER_PERCENT = 130n;
const GAS_PRICE_MILLI_UAKT = 25n;

export class TxRejectedError extends Error {
  readonly code: number;

  constructor(code: number, log: string) {
    super(log);
    this.name = "TxRejectedError";
    this.code = code;
  }
}

/**
 * Signs and broadcasts txs for the devnet's own accounts (faucet, auditor, providers) straight into the
 * chain's mempool: the same decode/ante/signature path as a tx arriving over RPC.
 */
export class InProcessSigner {
  private readonly chain: Chain;
  private readonly wallet: DirectSecp256k1HdWallet;
  private readonly accounts: Map<string, AccountData>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(chain: Chain, wallet: DirectSecp256k1HdWallet, accounts: readonly AccountData[]) {
    this.chain = chain;
    this.wallet = wallet;
    this.accounts = new Map(accounts.map((a) => [a.address, a]));
  }

  private encode(
    account: AccountData,
    messages: readonly EncodedAny[],
    memo: string,
    gasLimit: bigint,
    signature: Uint8Array,
    sequence: bigint,
  ) {
    const bodyBytes = TxBody.encode(
      TxBody.fromPartial({ messages: messages.map((m) => ({ ...m })), memo }),
    ).finish();
    const authInfoBytes = AuthInfo.encode(
      AuthInfo.fromPartial({
        signerInfos: [
          {
            publicKey: {
              typeUrl: "/cosmos.crypto.secp256k1.PubKey",
              value: PubKey.encode(PubKey.fromPartial({ key: account.pubkey })).finish(),
            },
            modeInfo: { single: { mode: 1 } },
            sequence: sequence.toString(),
          },
        ],
        fee: {
          amount: [{ denom: "uakt", amount: ((gasLimit * GAS_PRICE_MILLI_UAKT + 999n) / 1000n).toString() }],
          gasLimit: gasLimit.toString(),
        },
      }),
    ).finish();
    return { bodyBytes, authInfoBytes, signature };
  }

  /** Signs and submits; resolves with the tx hash once CheckTx accepted it. Calls are serialised per signer. */
  broadcast(address: string, messages: readonly EncodedAny[], memo = ""): Promise<string> {
    const run = this.queue.then(() => this.broadcastNow(address, messages, memo));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async broadcastAndWait(
    address: string,
    messages: readonly EncodedAny[],
    memo = "",
  ): Promise<TxResultRecord> {
    const hash = await this.broadcast(address, messages, memo);
    const result = await this.chain.waitForTx(hash);
    if (result.code !== 0) throw new TxRejectedError(result.code, result.log);
    return result;
  }

  private async broadcastNow(
    address: string,
    messages: readonly EncodedAny[],
    memo: string,
  ): Promise<string> {
    const account = this.accounts.get(address);
    const record = this.chain.state.accounts.get(address);
    if (!account || !record) throw new Error(`no devnet key or account for ${address}`);
    const sequence = this.chain.nextSequence(address);
    const draft = this.encode(account, messages, memo, 0n, new Uint8Array(), sequence);
    const simulated = this.chain.simulate(
      TxRaw.encode(TxRaw.fromPartial({ ...draft, signatures: [new Uint8Array()] })).finish(),
    );
    const gasLimit = (simulated.gasUsed * GAS_MULTIPLIER_PERCENT) / 100n;
    const unsigned = this.encode(account, messages, memo, gasLimit, new Uint8Array(), sequence);
    const { signature } = await this.wallet.signDirect(address, {
      bodyBytes: unsigned.bodyBytes,
      authInfoBytes: unsigned.authInfoBytes,
      chainId: this.chain.chainId,
      accountNumber: record.accountNumber,
    });
    const bytes = TxRaw.encode(
      TxRaw.fromPartial({
        bodyBytes: unsigned.bodyBytes,
        authInfoBytes: unsigned.authInfoBytes,
        signatures: [fromBase64(signature.signature)],
      }),
    ).finish();
    const result = this.chain.checkTx(bytes);
    if (result.code !== 0) throw new TxRejectedError(result.code, result.log);
    return toHex(result.hash).toUpperCase();
  }
}
