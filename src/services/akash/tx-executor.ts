import type { EncodeObject } from "@cosmjs/proto-signing";
import { EffectError } from "../../domain/effect-failure.js";
import type { Logger } from "../../logging/index.js";
import type { Intent, IntentRepository, JsonValue, LeadershipRepository } from "../store/index.js";
import type { TxResult } from "./akash-service.js";
import type { BlockWatch } from "./block-watch.js";
import {
  type ChainRejection,
  chainRejectionOf,
  classifyRejection,
  toChainEffectError,
} from "./chain-failures.js";
import { type IncludedTx, type SignedTx, type SigningClient, sequenceOfTx } from "./signing-client.js";

/**
 * The points of a transaction's life at which a hook runs (tests and the crash matrix stop the
 * process there): the intent is recorded; the signed bytes are recorded and about to be broadcast;
 * the node accepted the tx into its mempool; a block holds it and it is about to be marked done.
 */
export type TxStep = "recorded" | "signed" | "broadcast" | "included";

export type TxStepHook = (
  step: TxStep,
  info: { readonly key: string; readonly txHash?: string },
) => void | Promise<void>;

/** One idempotent transaction: what to record, how to see its effect on chain, what to sign. */
export interface TxJob {
  readonly key: string;
  /** The intent kind (`create_deployment`, `mint_act+create_deployment` …). */
  readonly kind: string;
  readonly payload: JsonValue;
  /** Whether the job's effect is already on chain, so that no transaction is needed. */
  effectHolds(): Promise<boolean>;
  /** The messages to sign now. */
  messages(): Promise<EncodeObject[]>;
}

export interface TxExecutorOptions {
  readonly signer: SigningClient;
  readonly intents: IntentRepository;
  /** The store's leadership: an instance that no longer leads (it handed over) sends nothing (DESIGN §12). */
  readonly leadership?: Pick<LeadershipRepository, "effectRefusal" | "track">;
  readonly chainId: string;
  /** How often inclusion is looked up after a broadcast (the fallback when blocks are announced). */
  readonly pollIntervalMs: number;
  /**
   * Announces new blocks (CometBFT's WebSocket): inclusion is then looked up in the block that holds
   * the tx instead of at the next poll. Absent: polled every `pollIntervalMs`.
   */
  readonly blocks?: Pick<BlockWatch, "nextBlock">;
  /** How long to wait for inclusion before answering `retryable` (the tx stays recorded). */
  readonly inclusionTimeoutMs: number;
  readonly memo?: string;
  readonly onStep?: TxStepHook;
  readonly logger?: Logger;
}

/** Fresh signatures per call when a signed tx dies (its sequence taken by another tx) before inclusion. */
const MAX_SIGNING_ATTEMPTS = 3;
/**
 * Blocks to wait for the tx that a sequence refusal says holds the sequence: one in the mempool lands in
 * the next block, and one dropped from it (evicted, or a node restarted) frees the sequence at the next
 * commit, when CometBFT rechecks the mempool. Then the refused tx is signed again.
 */
const SEQUENCE_HOLD_BLOCKS = 2;
const SDK_WRONG_SEQUENCE = 32;

type Inclusion =
  | { readonly status: "included"; readonly tx: IncludedTx }
  | { readonly status: "failed"; readonly tx: IncludedTx }
  | { readonly status: "dead" };

const SEQUENCE_MISMATCH = /account sequence mismatch, expected (\d+), got \d+/;

/**
 * Whether a rejection says another tx of this account holds the sequence (in the mempool: CheckTx
 * and simulation count pending txs); then the sequence the node expects next, or null if unsaid.
 */
function sequenceTakenBy(rejection: ChainRejection): number | null | undefined {
  const match = SEQUENCE_MISMATCH.exec(rejection.log);
  if (match) return Number(match[1]);
  return rejection.code === SDK_WRONG_SEQUENCE && rejection.codespace === "sdk" ? null : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const inclusionOf = (tx: IncludedTx): Inclusion =>
  tx.code === 0 ? { status: "included", tx } : { status: "failed", tx };

/**
 * Crash-safe transactions. For a key whose intent is done, nothing happens. Otherwise the chain is
 * asked first whether the effect is there; then a recorded signed tx is looked up by hash and, if
 * not in a block, the same bytes are broadcast again; it is given up only when the account's
 * sequence has passed it without it being included. Only then are new bytes signed, recorded with
 * their hash before the broadcast, and followed to a block. One transaction at a time per account.
 */
export class TxExecutor {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TxExecutorOptions) {}

  run(job: TxJob): Promise<TxResult> {
    const result = this.queue.then(() => this.execute(job));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async execute(job: TxJob): Promise<TxResult> {
    const { leadership } = this.options;
    const refusal = leadership?.effectRefusal();
    if (refusal) {
      throw new EffectError(
        refusal.final ? "fatal" : "retryable",
        `${job.kind} ${job.key} not sent: ${refusal.reason}`,
      );
    }
    return leadership ? leadership.track(() => this.send(job)) : this.send(job);
  }

  private async send(job: TxJob): Promise<TxResult> {
    const { intents } = this.options;
    const known = intents.get(job.key);
    if (known?.state === "done") return { alreadyDone: true, txHash: known.txHash };
    const intent = this.record(job);
    await this.step("recorded", job.key);

    if (await this.holds(job)) {
      // Name the recorded tx only if it is the one a block holds (not a dead attempt).
      const recorded = intent.txHash ? await this.lookUp(job, intent.txHash) : null;
      return this.completeAlreadyDone(job.key, recorded?.code === 0 ? recorded.hash : null);
    }

    if (intent.txHash) {
      const { inclusion, byThisCall } = intent.txBytes
        ? await this.resume(job, intent.txHash, intent.txBytes)
        : await this.lookUpOnly(job, intent.txHash);
      if (inclusion.status === "included") return this.completeIncluded(job.key, inclusion.tx, byThisCall);
      // A failure already reported to the caller is not reported again: this call is its retry.
      if (inclusion.status === "failed" && !intent.error?.includes(inclusion.tx.hash)) {
        return this.reportRejection(job, inclusion.tx, inclusion.tx.hash);
      }
    }
    return this.signAndSend(job);
  }

  private record(job: TxJob): Intent {
    try {
      return this.options.intents.record({ key: job.key, kind: job.kind, payload: job.payload }).intent;
    } catch (error) {
      throw new EffectError("fatal", error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
  }

  private async step(step: TxStep, key: string, txHash?: string): Promise<void> {
    await this.options.onStep?.(step, txHash === undefined ? { key } : { key, txHash });
  }

  private async holds(job: TxJob): Promise<boolean> {
    try {
      return await job.effectHolds();
    } catch (error) {
      throw toChainEffectError(error, `${job.kind} ${job.key}: look up the effect`);
    }
  }

  private async chain<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toChainEffectError(error, what);
    }
  }

  private lookUp(job: TxJob, hash: string): Promise<IncludedTx | null> {
    return this.chain(`${job.kind} ${job.key}: look up tx ${hash}`, () => this.options.signer.findTx(hash));
  }

  /** A hash recorded without its bytes (not by this executor) can only be looked up, not re-sent. */
  private async lookUpOnly(job: TxJob, hash: string): Promise<{ inclusion: Inclusion; byThisCall: boolean }> {
    const found = await this.lookUp(job, hash);
    return { inclusion: found ? inclusionOf(found) : { status: "dead" }, byThisCall: false };
  }

  /** Follows a recorded signed tx: in a block already, in flight (re-sent as the same bytes), or dead. */
  private async resume(
    job: TxJob,
    hash: string,
    bytes: Uint8Array,
  ): Promise<{ inclusion: Inclusion; byThisCall: boolean }> {
    const { signer } = this.options;
    const what = `${job.kind} ${job.key}`;
    const found = await this.lookUp(job, hash);
    if (found) return { inclusion: inclusionOf(found), byThisCall: false };

    const sequence = sequenceOfTx(bytes);
    const account = await this.chain(`${what}: query the account`, () => signer.account());
    if (account.sequence > sequence) {
      return { inclusion: await this.afterSequencePassed(job, hash), byThisCall: false };
    }
    const answer = await this.chain(`${what}: re-broadcast tx ${hash}`, () => signer.broadcast(bytes));
    if (answer.status === "rejected") {
      // Bytes the node refuses now will never be included: the tx is dead, sign afresh.
      this.options.logger?.warn(
        { key: job.key, txHash: hash, log: answer.rejection.log },
        "recorded tx refused",
      );
      const inclusion: Inclusion =
        answer.rejection.code === SDK_WRONG_SEQUENCE
          ? await this.afterSequencePassed(job, hash)
          : { status: "dead" };
      return { inclusion, byThisCall: false };
    }
    await this.step("broadcast", job.key, hash);
    return { inclusion: await this.awaitInclusion(job, hash, sequence), byThisCall: true };
  }

  /** The sequence moved past the tx: it is in a block (the index may lag one lookup) or it is dead. */
  private async afterSequencePassed(job: TxJob, hash: string): Promise<Inclusion> {
    const found = await this.lookUp(job, hash);
    if (found) return inclusionOf(found);
    this.options.logger?.info(
      { key: job.key, txHash: hash },
      "recorded tx is dead (sequence passed it); signing anew",
    );
    return { status: "dead" };
  }

  private async awaitInclusion(job: TxJob, hash: string, sequence: number): Promise<Inclusion> {
    const { signer, inclusionTimeoutMs } = this.options;
    const deadline = Date.now() + inclusionTimeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const found = await signer.findTx(hash);
        if (found) return inclusionOf(found);
        const account = await signer.account();
        if (account.sequence > sequence) return await this.afterSequencePassed(job, hash);
      } catch (error) {
        // The node not answering for a moment does not change what happens to the tx: keep looking.
        lastError = error;
      }
      if (Date.now() >= deadline) {
        const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
        throw new EffectError(
          "retryable",
          `${job.kind} ${job.key}: tx ${hash} not in a block after ${inclusionTimeoutMs} ms${reason}; it stays recorded and is looked up again on retry`,
        );
      }
      await this.untilNextBlock();
    }
  }

  /** The next announced block, or the poll interval when none is announced sooner. */
  private untilNextBlock(): Promise<void> {
    const { blocks, pollIntervalMs } = this.options;
    return blocks ? blocks.nextBlock(pollIntervalMs) : sleep(pollIntervalMs);
  }

  /**
   * Waits until the account's committed sequence reaches `sequence`, or until SEQUENCE_HOLD_BLOCKS
   * blocks have passed without it (the tx that held it was dropped: sign again), up to the inclusion
   * timeout.
   */
  private async waitForSequence(job: TxJob, sequence: number): Promise<void> {
    const { signer, inclusionTimeoutMs } = this.options;
    const deadline = Date.now() + inclusionTimeoutMs;
    const since = await signer.height().catch(() => null);
    while (Date.now() < deadline) {
      await this.untilNextBlock();
      const account = await signer.account().catch(() => undefined);
      if (account && account.sequence >= sequence) return;
      const height = since === null ? null : await signer.height().catch(() => null);
      if (since !== null && height !== null && height >= since + SEQUENCE_HOLD_BLOCKS) {
        this.options.logger?.info(
          { key: job.key, kind: job.kind, sequence: sequence - 1, blocks: height - since },
          "no committed tx took the sequence the node called held; signing again",
        );
        return;
      }
    }
    throw new EffectError(
      "retryable",
      `${job.kind} ${job.key}: another tx of this account held sequence ${sequence - 1} and did not reach a block in time`,
    );
  }

  private async signAndSend(job: TxJob): Promise<TxResult> {
    const { signer, intents, chainId, memo = "" } = this.options;
    const what = `${job.kind} ${job.key}`;
    for (let attempt = 1; attempt <= MAX_SIGNING_ATTEMPTS; attempt += 1) {
      const messages = await job.messages();
      if (messages.length === 0) return this.completeAlreadyDone(job.key, null);
      const account = await this.chain(`${what}: query the account`, () => signer.account());
      let fee: Awaited<ReturnType<SigningClient["estimateFee"]>>;
      try {
        fee = await signer.estimateFee(messages, memo);
      } catch (error) {
        const rejection = chainRejectionOf(error);
        if (!rejection) throw toChainEffectError(error, `${what}: simulate`);
        const taken = sequenceTakenBy(rejection);
        if (taken === undefined || attempt === MAX_SIGNING_ATTEMPTS) {
          return this.reportRejection(job, rejection, null);
        }
        await this.waitForSequence(job, taken ?? account.sequence + 1);
        continue;
      }
      const signed: SignedTx = await this.chain(`${what}: sign`, () =>
        signer.sign(messages, fee, memo, account, chainId),
      );
      intents.attachTx(job.key, { hash: signed.hash, bytes: signed.bytes });
      await this.step("signed", job.key, signed.hash);

      const answer = await this.chain(`${what}: broadcast tx ${signed.hash}`, () =>
        signer.broadcast(signed.bytes),
      );
      if (answer.status === "rejected") {
        const taken = sequenceTakenBy(answer.rejection);
        if (taken !== undefined && attempt < MAX_SIGNING_ATTEMPTS) {
          await this.waitForSequence(job, taken ?? signed.sequence + 1);
          continue;
        }
        return this.reportRejection(job, answer.rejection, signed.hash);
      }
      await this.step("broadcast", job.key, signed.hash);
      this.options.logger?.info({ key: job.key, kind: job.kind, txHash: signed.hash }, "tx broadcast");

      const inclusion = await this.awaitInclusion(job, signed.hash, signed.sequence);
      if (inclusion.status === "included") return this.completeIncluded(job.key, inclusion.tx, true);
      if (inclusion.status === "failed") return this.reportRejection(job, inclusion.tx, inclusion.tx.hash);
    }
    throw new EffectError(
      "retryable",
      `${what}: signed ${MAX_SIGNING_ATTEMPTS} times and each tx lost its sequence to another; try again`,
    );
  }

  private async completeIncluded(key: string, tx: IncludedTx, byThisCall: boolean): Promise<TxResult> {
    await this.step("included", key, tx.hash);
    this.options.intents.complete(key, { txHash: tx.hash });
    this.options.logger?.info({ key, txHash: tx.hash, height: tx.height }, "tx included");
    return byThisCall
      ? { alreadyDone: false, txHash: tx.hash, height: tx.height }
      : { alreadyDone: true, txHash: tx.hash };
  }

  private completeAlreadyDone(key: string, txHash: string | null): TxResult {
    this.options.intents.complete(key, txHash ? { txHash } : {});
    return { alreadyDone: true, txHash };
  }

  /**
   * A rejection, unless the effect holds anyway (a close whose target another party closed): then it
   * is success. Otherwise the intent is marked failed (naming the tx, so a retry signs afresh) and
   * the caller gets the rejection's kind.
   */
  private async reportRejection(
    job: TxJob,
    rejection: ChainRejection,
    txHash: string | null,
  ): Promise<never | TxResult> {
    if (await this.holds(job)) return this.completeAlreadyDone(job.key, null);
    const kind = classifyRejection(rejection);
    const where = rejection.codespace
      ? `codespace ${rejection.codespace} code ${rejection.code}`
      : `code ${rejection.code}`;
    const message = `${job.kind} ${job.key}: ${txHash ? `tx ${txHash}` : "simulation"} rejected (${where}): ${rejection.log}`;
    this.options.intents.fail(job.key, message);
    this.options.logger?.warn({ key: job.key, kind, txHash }, "tx rejected");
    throw new EffectError(kind, message);
  }
}
