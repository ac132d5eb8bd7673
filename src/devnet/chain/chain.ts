import { SignDoc, TxMsgData } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { toBase64, toHex } from "@cosmjs/encoding";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { MODULE_ADDRESSES } from "./addresses.js";
import { ChainError, SdkErrors } from "./chain-errors.js";
import type { ChainSnapshot } from "./chain-snapshot.js";
import type { ChainState } from "./chain-state.js";
import { DEC_ONE, type Dec, decFromString } from "./decimal.js";
import { type AbciEvent, EventCollector } from "./events.js";
import { sendCoins } from "./modules/bank.js";
import { useGrantedFees } from "./modules/feegrant.js";
import type { EncodedAny, MsgHandler } from "./msg-handler.js";
import { type DecodedTx, decodeTx, SIGN_MODE_DIRECT, SIGN_MODE_UNSPECIFIED } from "./tx-decoder.js";

export interface BlockRecord {
  readonly height: bigint;
  readonly time: Date;
  readonly hash: Uint8Array;
  readonly lastBlockHash: Uint8Array | null;
  readonly appHash: Uint8Array;
  readonly txs: readonly Uint8Array[];
  readonly dataHash: Uint8Array;
}

export interface TxResultRecord {
  readonly hash: Uint8Array;
  readonly height: bigint;
  readonly index: number;
  readonly tx: Uint8Array;
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  readonly events: readonly AbciEvent[];
  /** Encoded cosmos.base.abci.v1beta1.TxMsgData. */
  readonly data: Uint8Array;
  /** The signer of the tx (for in-process consumers). */
  readonly signer: string;
  readonly messageTypes: readonly string[];
}

export interface CheckTxResult {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly hash: Uint8Array;
}

export interface SimulationResult {
  readonly gasUsed: bigint;
  readonly events: readonly AbciEvent[];
  readonly msgResponses: readonly EncodedAny[];
}

export interface EndBlockContext {
  readonly state: ChainState;
  readonly height: bigint;
  readonly time: Date;
  readonly events: EventCollector;
}

export type EndBlocker = (ctx: EndBlockContext) => void;

export interface CommittedBlock {
  readonly block: BlockRecord;
  readonly txResults: readonly TxResultRecord[];
  readonly endBlockEvents: readonly AbciEvent[];
}

/** A failure injected into the next matching broadcast tx (control API "next tx fails"). */
export interface TxFault {
  readonly address?: string;
  readonly stage: "checkTx" | "deliverTx";
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
}

export interface ChainOptions {
  readonly chainId: string;
  readonly state: ChainState;
  readonly handlers: readonly MsgHandler[];
  readonly endBlockers: readonly EndBlocker[];
  /** Minimum fee per unit of gas, in uakt (a validator's min-gas-prices). */
  readonly minGasPriceUakt: string;
  readonly genesisTime: Date;
  readonly now?: () => Date;
}

const TX_SIZE_GAS_PER_BYTE = 10n;
/** Signature and fee bytes that a Simulate request lacks, counted the same way in both paths. */
const TX_SIGNATURE_OVERHEAD_BYTES = 110n;
const SIG_VERIFY_GAS = 1_000n;
const BASE_TX_GAS = 20_000n;

export const txHashOf = (bytes: Uint8Array) => sha256(bytes);

/**
 * The devnet chain: a single validator that runs the SDK ante chain on broadcast transactions, executes
 * messages against {@link ChainState}, and commits a block whenever {@link produceBlock} is called.
 */
export class Chain {
  readonly chainId: string;
  state: ChainState;
  readonly blocks: BlockRecord[] = [];
  private readonly txIndex = new Map<string, TxResultRecord>();
  private readonly txResults: TxResultRecord[] = [];
  private mempool: DecodedTx[] = [];
  private readonly mempoolHashes = new Set<string>();
  private readonly pendingSequence = new Map<string, bigint>();
  private readonly pendingFees = new Map<string, bigint>();
  /** Fee allowances as CheckTx has used them since the last block (the SDK's check state keeps them). */
  private pendingAllowances: ChainState["feeAllowances"] | undefined;
  /** The allowances after the last successful CheckTx ante (kept once the tx enters the mempool). */
  private checkedAllowances: ChainState["feeAllowances"] | undefined;
  private readonly handlers = new Map<string, MsgHandler>();
  private readonly endBlockers: readonly EndBlocker[];
  private readonly minGasPrice: Dec;
  private readonly listeners = new Set<(block: CommittedBlock) => void>();
  private readonly systemActions: { name: string; run: EndBlocker }[] = [];
  private readonly txFaults: TxFault[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly now: () => Date;
  private appHash: Uint8Array;

  constructor(options: ChainOptions) {
    this.chainId = options.chainId;
    this.state = options.state;
    for (const handler of options.handlers) this.handlers.set(handler.typeUrl, handler);
    this.endBlockers = options.endBlockers;
    this.minGasPrice = decFromString(options.minGasPriceUakt);
    this.now = options.now ?? (() => new Date());
    this.appHash = sha256(new TextEncoder().encode(`${options.chainId}/genesis`));
    const genesis: BlockRecord = {
      height: 1n,
      time: options.genesisTime,
      hash: sha256(new TextEncoder().encode(`${options.chainId}/block/1`)),
      lastBlockHash: null,
      appHash: this.appHash,
      txs: [],
      dataHash: new Uint8Array(),
    };
    this.blocks.push(genesis);
  }

  get height(): bigint {
    return this.latestBlock.height;
  }

  get latestBlock(): BlockRecord {
    return this.blocks[this.blocks.length - 1]!;
  }

  blockAt(height: bigint): BlockRecord | undefined {
    const first = this.blocks[0]!.height;
    return this.blocks[Number(height - first)];
  }

  lookupHandler(typeUrl: string): MsgHandler | undefined {
    return this.handlers.get(typeUrl);
  }

  registeredTypeUrls(): string[] {
    return [...this.handlers.keys()];
  }

  onBlock(listener: (block: CommittedBlock) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getTx(hashHex: string): TxResultRecord | undefined {
    return this.txIndex.get(hashHex.toUpperCase());
  }

  allTxResults(): readonly TxResultRecord[] {
    return this.txResults;
  }

  /** Resolves once the tx with this hash is in a block (or rejects after `timeoutMs`, or on close()). */
  waitForTx(hashHex: string, timeoutMs = 60_000): Promise<TxResultRecord> {
    const found = this.getTx(hashHex);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        this.waiters.delete(cancel);
      };
      const cancel = () => {
        finish();
        reject(new Error("the devnet chain stopped"));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`tx ${hashHex} was not included within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = this.onBlock(() => {
        const result = this.getTx(hashHex);
        if (!result) return;
        finish();
        resolve(result);
      });
      this.waiters.add(cancel);
    });
  }

  /** The committed state and history, for {@link writeChainSnapshot} (shared, not copied: write it at once). */
  snapshot(): Omit<ChainSnapshot, "version"> {
    return { chainId: this.chainId, state: this.state, blocks: this.blocks, txResults: this.txResults };
  }

  /**
   * Continues from a snapshot of this chain: its state, block store and tx index replace the genesis ones,
   * and the next block follows its last block. Call before any tx is broadcast.
   */
  restore(snapshot: ChainSnapshot): void {
    if (snapshot.chainId !== this.chainId) {
      throw new Error(`the snapshot is of chain ${snapshot.chainId}, not ${this.chainId}`);
    }
    if (snapshot.blocks.length === 0) throw new Error("the snapshot has no blocks");
    this.state = snapshot.state;
    this.blocks.splice(0, this.blocks.length, ...snapshot.blocks);
    this.txResults.splice(0, this.txResults.length, ...snapshot.txResults);
    this.txIndex.clear();
    for (const result of snapshot.txResults) this.txIndex.set(toHex(result.hash).toUpperCase(), result);
    this.appHash = this.latestBlock.appHash;
    this.mempool = [];
    this.mempoolHashes.clear();
    this.pendingSequence.clear();
    this.pendingFees.clear();
    this.pendingAllowances = undefined;
  }

  /** Rejects every pending waitForTx (the node is shutting down). */
  close(): void {
    for (const cancel of [...this.waiters]) cancel();
  }

  /** Queues a state change that the next block applies at EndBlock (faults, faucet mints). */
  scheduleSystemAction(name: string, run: EndBlocker): void {
    this.systemActions.push({ name, run });
  }

  injectTxFault(fault: TxFault): void {
    this.txFaults.push(fault);
  }

  pendingTxFaults(): readonly TxFault[] {
    return this.txFaults;
  }

  clearTxFaults(): void {
    this.txFaults.length = 0;
  }

  private takeFault(stage: TxFault["stage"], address: string): TxFault | undefined {
    const index = this.txFaults.findIndex((f) => f.stage === stage && (!f.address || f.address === address));
    if (index < 0) return undefined;
    return this.txFaults.splice(index, 1)[0];
  }

  /** Gas a tx consumes before its messages (size, signature) plus each message's cost. */
  private gasFor(tx: DecodedTx): bigint {
    const size = BigInt(tx.bodyBytes.length + tx.authInfoBytes.length) + TX_SIGNATURE_OVERHEAD_BYTES;
    let gas = BASE_TX_GAS + size * TX_SIZE_GAS_PER_BYTE + SIG_VERIFY_GAS;
    for (const { handler } of tx.messages) gas += BigInt(handler.gas);
    return gas;
  }

  private requiredFee(gasLimit: bigint): bigint {
    const atomics = gasLimit * this.minGasPrice;
    return (atomics + DEC_ONE - 1n) / DEC_ONE;
  }

  private verifySignature(tx: DecodedTx, accountNumber: bigint, sequence: bigint): void {
    const signDoc = SignDoc.encode(
      SignDoc.fromPartial({
        bodyBytes: tx.bodyBytes,
        authInfoBytes: tx.authInfoBytes,
        chainId: this.chainId,
        accountNumber: accountNumber.toString(),
      }),
    ).finish();
    let valid = false;
    try {
      valid =
        tx.signature.length === 64 &&
        secp256k1.verify(tx.signature, sha256(signDoc), tx.pubKey, { prehash: false, lowS: true });
    } catch {
      valid = false;
    }
    if (!valid) {
      throw SdkErrors.unauthorized.wrap(
        `signature verification failed; please verify account number (${accountNumber}), sequence (${sequence}) and chain-id (${this.chainId})`,
      );
    }
  }

  /** The state-dependent ante checks shared by CheckTx, Simulate and DeliverTx. */
  private ante(
    state: ChainState,
    tx: DecodedTx,
    mode: "check" | "simulate" | "deliver",
    expectedSequence: bigint,
  ): string {
    const account = state.accounts.get(tx.signerAddress);
    if (!account) throw SdkErrors.unknownAddress.wrap(`account ${tx.signerAddress} does not exist`);
    if (account.pubKey && toHex(account.pubKey) !== toHex(tx.pubKey)) {
      throw SdkErrors.invalidPubKey.wrap(
        `pubKey does not match signer address ${tx.signerAddress} with signer index: 0`,
      );
    }
    if (tx.timeoutHeight > 0n && this.height + 1n > tx.timeoutHeight) {
      throw SdkErrors.txTimeoutHeight.wrap(
        `block height: ${this.height + 1n}, timeout height: ${tx.timeoutHeight}`,
      );
    }
    if (tx.sequence !== expectedSequence) {
      throw SdkErrors.wrongSequence.wrap(
        `account sequence mismatch, expected ${expectedSequence}, got ${tx.sequence}`,
      );
    }
    if (mode === "simulate") {
      if (tx.signMode !== SIGN_MODE_UNSPECIFIED && tx.signMode !== SIGN_MODE_DIRECT) {
        throw SdkErrors.notSupported.wrap(`sign mode ${tx.signMode} is not served by this node`);
      }
      return tx.signerAddress;
    }
    if (tx.signMode !== SIGN_MODE_DIRECT) {
      throw SdkErrors.notSupported.wrap(
        `sign mode ${tx.signMode} is not served by this node; use SIGN_MODE_DIRECT`,
      );
    }
    const feeUakt = tx.fee.find((c) => c.denom === "uakt")?.amount ?? 0n;
    if (mode === "check") {
      const required = this.requiredFee(tx.gasLimit);
      if (feeUakt < required) {
        throw SdkErrors.insufficientFee.wrap(
          `insufficient fees; got: ${feeUakt}uakt required: ${required}uakt`,
        );
      }
      this.verifySignature(tx, account.accountNumber, expectedSequence);
      // CheckTx runs the feegrant Accept against the check state: allowances used by pending txs stay used.
      const scratch = state.clone();
      if (this.pendingAllowances) scratch.feeAllowances = new Map(this.pendingAllowances);
      const payer = this.deductFeesFrom(scratch, tx, this.latestBlock.time);
      const pending = this.pendingFees.get(payer) ?? 0n;
      const spendable = state.balance(payer, "uakt") - pending;
      if (feeUakt > 0n && spendable < feeUakt) {
        throw SdkErrors.insufficientFunds.wrap(
          `spendable balance ${spendable < 0n ? 0n : spendable}uakt is smaller than ${feeUakt}uakt`,
        );
      }
      this.checkedAllowances = scratch.feeAllowances;
      return payer;
    }
    return tx.signerAddress;
  }

  /**
   * DeductFeeDecorator's choice of payer: with `Fee.granter` set (and not the signer) the granter's feegrant
   * allowance must accept the fee (it is used up on `state`), and the granter pays.
   */
  private deductFeesFrom(state: ChainState, tx: DecodedTx, time: Date, events?: EventCollector): string {
    let payer = tx.signerAddress;
    if (tx.feeGranter && tx.feeGranter !== tx.signerAddress) {
      useGrantedFees(
        state,
        tx.feeGranter,
        tx.signerAddress,
        tx.fee.filter((c) => c.amount > 0n),
        tx.messages.map((m) => m.handler.typeUrl),
        time,
        events,
      );
      payer = tx.feeGranter;
    }
    if (!state.accounts.has(payer))
      throw SdkErrors.unknownAddress.wrap(`fee payer address: ${payer} does not exist`);
    return payer;
  }

  /** The sequence the next broadcast tx from `address` must carry (mempool-aware, as CheckTx state is). */
  nextSequence(address: string): bigint {
    return this.sequenceFor(address, "check");
  }

  private sequenceFor(address: string, mode: "check" | "simulate" | "deliver"): bigint {
    const committed = this.state.accounts.get(address)?.sequence ?? 0n;
    if (mode === "deliver") return committed;
    return this.pendingSequence.get(address) ?? committed;
  }

  /** CometBFT CheckTx: stateless + ante checks against the mempool's view; accepted txs wait for a block. */
  checkTx(bytes: Uint8Array): CheckTxResult {
    const hash = txHashOf(bytes);
    const hashHex = toHex(hash).toUpperCase();
    try {
      // CometBFT's mempool cache answers before the app's CheckTx: a re-broadcast of a pending or committed
      // tx is refused as a duplicate rather than as a sequence mismatch.
      if (this.mempoolHashes.has(hashHex) || this.txIndex.has(hashHex)) {
        throw SdkErrors.txInMempoolCache.wrap("tx already exists in cache");
      }
      const tx = decodeTx(bytes, (url) => this.lookupHandler(url));
      const fault = this.takeFault("checkTx", tx.signerAddress);
      if (fault) return { code: fault.code, codespace: fault.codespace, log: fault.log, hash };
      const payer = this.ante(this.state, tx, "check", this.sequenceFor(tx.signerAddress, "check"));
      this.mempool.push(tx);
      this.mempoolHashes.add(hashHex);
      this.pendingSequence.set(tx.signerAddress, tx.sequence + 1n);
      const fee = tx.fee.find((c) => c.denom === "uakt")?.amount ?? 0n;
      this.pendingFees.set(payer, (this.pendingFees.get(payer) ?? 0n) + fee);
      this.pendingAllowances = this.checkedAllowances;
      return { code: 0, codespace: "", log: "", hash };
    } catch (error) {
      if (error instanceof ChainError)
        return { code: error.code, codespace: error.codespace, log: error.message, hash };
      throw error;
    }
  }

  /** cosmos.tx.v1beta1.Service/Simulate: runs ante (no signature, no fee) and the messages on a scratch state. */
  simulate(bytes: Uint8Array): SimulationResult {
    const tx = decodeTx(bytes, (url) => this.lookupHandler(url));
    const scratch = this.state.clone();
    this.ante(scratch, tx, "simulate", this.sequenceFor(tx.signerAddress, "simulate"));
    const gasUsed = this.gasFor(tx);
    const events = new EventCollector();
    const msgResponses = this.runMessages(scratch, tx, this.height + 1n, this.now(), events);
    return { gasUsed, events: events.events, msgResponses };
  }

  private runMessages(
    state: ChainState,
    tx: DecodedTx,
    height: bigint,
    time: Date,
    events: EventCollector,
  ): EncodedAny[] {
    const responses: EncodedAny[] = [];
    tx.messages.forEach(({ handler, message, signer }, msgIndex) => {
      events.emit("message", {
        action: handler.typeUrl,
        sender: signer,
        module: handler.module,
        msg_index: String(msgIndex),
      });
      try {
        responses.push(handler.execute({ state, height, time, events, msgIndex }, message));
      } catch (error) {
        if (error instanceof ChainError) {
          throw new ChainError(
            error.codespace,
            error.code,
            `failed to execute message; message index: ${msgIndex}: ${error.message}`,
            error.grpcCode,
          );
        }
        throw error;
      }
    });
    return responses;
  }

  private deliverTx(tx: DecodedTx, height: bigint, time: Date, index: number): TxResultRecord {
    const hash = txHashOf(tx.bytes);
    const base = {
      hash,
      height,
      index,
      tx: tx.bytes,
      gasWanted: tx.gasLimit,
      signer: tx.signerAddress,
      messageTypes: tx.messages.map((m) => m.handler.typeUrl),
    };
    const gasUsed = this.gasFor(tx);
    const anteEvents = new EventCollector();
    try {
      this.ante(this.state, tx, "deliver", this.sequenceFor(tx.signerAddress, "deliver"));
      const feeCoins = tx.fee.filter((c) => c.amount > 0n);
      const afterAnte = this.state.clone();
      const payer = this.deductFeesFrom(afterAnte, tx, time, anteEvents);
      sendCoins(afterAnte, payer, MODULE_ADDRESSES.feeCollector, feeCoins, anteEvents);
      const fee = feeCoins.map((c) => `${c.amount}${c.denom}`).join(",");
      anteEvents.emit("tx", { fee, fee_payer: payer });
      const account = afterAnte.accounts.get(tx.signerAddress)!;
      afterAnte.accounts.set(tx.signerAddress, {
        ...account,
        pubKey: account.pubKey ?? tx.pubKey,
        sequence: account.sequence + 1n,
      });
      anteEvents.emit("tx", { acc_seq: `${tx.signerAddress}/${tx.sequence}` });
      anteEvents.emit("tx", { signature: toBase64(tx.signature) });
      this.state = afterAnte;
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      return {
        ...base,
        code: error.code,
        codespace: error.codespace,
        log: error.message,
        gasUsed,
        events: [],
        data: new Uint8Array(),
      };
    }

    const fail = (code: number, codespace: string, log: string): TxResultRecord => ({
      ...base,
      code,
      codespace,
      log,
      gasUsed,
      events: anteEvents.events,
      data: new Uint8Array(),
    });
    if (gasUsed > tx.gasLimit) {
      return fail(
        SdkErrors.outOfGas.code,
        "sdk",
        `out of gas in location: ${tx.messages[0]?.handler.typeUrl ?? "tx"}; gasWanted: ${tx.gasLimit}, gasUsed: ${gasUsed}: out of gas`,
      );
    }
    const fault = this.takeFault("deliverTx", tx.signerAddress);
    if (fault) return fail(fault.code, fault.codespace, fault.log);

    const scratch = this.state.clone();
    const msgEvents = new EventCollector();
    try {
      const msgResponses = this.runMessages(scratch, tx, height, time, msgEvents);
      this.state = scratch;
      const events = new EventCollector();
      events.append(anteEvents);
      events.append(msgEvents);
      const data = TxMsgData.encode(
        TxMsgData.fromPartial({ data: [], msgResponses: [...msgResponses] }),
      ).finish();
      return { ...base, code: 0, codespace: "", log: "", gasUsed, events: events.events, data };
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
      return fail(error.code, error.codespace, error.message);
    }
  }

  /** FinalizeBlock + Commit: delivers the mempool in order, runs EndBlock, stores and announces the block. */
  produceBlock(): CommittedBlock {
    const height = this.height + 1n;
    const previous = this.latestBlock;
    const nowMs = this.now().getTime();
    const time = new Date(Math.max(nowMs, previous.time.getTime() + 1));
    const txs = this.mempool;
    this.mempool = [];
    this.mempoolHashes.clear();
    this.pendingSequence.clear();
    this.pendingFees.clear();
    this.pendingAllowances = undefined;

    const txResults = txs.map((tx, index) => this.deliverTx(tx, height, time, index));

    const endEvents = new EventCollector();
    for (const endBlocker of this.endBlockers)
      endBlocker({ state: this.state, height, time, events: endEvents });
    const actions = this.systemActions.splice(0);
    for (const action of actions) {
      const scratch = this.state.clone();
      const events = new EventCollector();
      try {
        action.run({ state: scratch, height, time, events });
        this.state = scratch;
        endEvents.append(events);
      } catch (error) {
        endEvents.emit("devnet_system_action_failed", { name: action.name, error: (error as Error).message });
      }
    }

    const encoder = new TextEncoder();
    const resultDigest = txResults.map((r) => `${toHex(r.hash)}:${r.code}`).join(",");
    this.appHash = sha256(new Uint8Array([...this.appHash, ...encoder.encode(`${height}|${resultDigest}`)]));
    const dataHash =
      txs.length > 0 ? sha256(new Uint8Array(txs.flatMap((t) => [...txHashOf(t.bytes)]))) : new Uint8Array();
    const hash = sha256(
      new Uint8Array([
        ...encoder.encode(`${this.chainId}|${height}|${time.toISOString()}|`),
        ...previous.hash,
        ...dataHash,
        ...this.appHash,
      ]),
    );
    const block: BlockRecord = {
      height,
      time,
      hash,
      lastBlockHash: previous.hash,
      appHash: this.appHash,
      txs: txs.map((t) => t.bytes),
      dataHash,
    };
    this.blocks.push(block);
    for (const result of txResults) {
      this.txIndex.set(toHex(result.hash).toUpperCase(), result);
      this.txResults.push(result);
    }
    const committed: CommittedBlock = { block, txResults, endBlockEvents: endEvents.events };
    for (const listener of [...this.listeners]) {
      try {
        listener(committed);
      } catch {
        // A failing observer must not stop the chain.
      }
    }
    return committed;
  }
}
