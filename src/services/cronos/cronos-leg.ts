import { Transaction } from "ethers";
import { EffectError } from "../../domain/index.js";
import type { Logger } from "../../logging/index.js";
import { abortablePause } from "../abortable-pause.js";
import type { AgentStore, JsonValue } from "../store/index.js";
import type { CronosClient, Eip1559Fees, EvmCall, MinedTx } from "./cronos-client.js";
import type { CronosPolicy } from "./cronos-endpoints.js";

export type CronosLegKind = "cronos_swap" | "cronos_bridge" | "cronos_transfer";
export type CronosLegStep = "signed" | "sent" | "mined";
/** Called after each durable step of a leg (crash tests stop the process there). */
export type CronosStepHook = (leg: CronosLegKind, step: CronosLegStep) => void;

export interface CronosLegDeps {
  readonly client: CronosClient;
  readonly store: AgentStore;
  readonly policy: CronosPolicy;
  readonly logger: Logger;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly onStep?: CronosStepHook;
}

export interface CronosLeg {
  /** The leg's idempotency key (its intent). */
  readonly key: string;
  readonly kind: CronosLegKind;
  /** What the leg was decided with (amounts, recipient …), kept in the intent. */
  readonly payload: JsonValue;
  /**
   * The call to sign, with the fees it will be signed with; asked only when the leg has no signed
   * transaction yet.
   */
  readonly call: (fees: Eip1559Fees) => EvmCall | Promise<EvmCall>;
}

/** Replacement fees: at least 12.5% over the previous ones (what nodes require), never over the ceiling. */
export function bumpedFees(
  previous: Eip1559Fees,
  suggested: Eip1559Fees,
  ceiling: bigint,
): Eip1559Fees | null {
  const bump = (value: bigint) => value + value / 8n + 1n;
  const maxFeePerGas =
    suggested.maxFeePerGas > bump(previous.maxFeePerGas)
      ? suggested.maxFeePerGas
      : bump(previous.maxFeePerGas);
  const priority =
    suggested.maxPriorityFeePerGas > bump(previous.maxPriorityFeePerGas)
      ? suggested.maxPriorityFeePerGas
      : bump(previous.maxPriorityFeePerGas);
  if (maxFeePerGas > ceiling) return null;
  return { maxFeePerGas, maxPriorityFeePerGas: priority < maxFeePerGas ? priority : maxFeePerGas };
}

/** The node's fees held under the ceiling; a base fee above the ceiling waits (retryable). */
export async function feesUnderCeiling(client: CronosClient, ceiling: bigint): Promise<Eip1559Fees> {
  const suggested = await client.suggestedFees();
  if (suggested.baseFeePerGas > ceiling) {
    throw new EffectError(
      "retryable",
      `Cronos base fee ${suggested.baseFeePerGas / 1_000_000_000n} gwei is above the ceiling of ${ceiling / 1_000_000_000n} gwei (treasury.gasFeeCeilingGwei): waiting for cheaper gas`,
    );
  }
  const maxFeePerGas = suggested.maxFeePerGas < ceiling ? suggested.maxFeePerGas : ceiling;
  const priority =
    suggested.maxPriorityFeePerGas < maxFeePerGas ? suggested.maxPriorityFeePerGas : maxFeePerGas;
  return { maxFeePerGas, maxPriorityFeePerGas: priority };
}

/**
 * Runs one Cronos leg at least once and at most once on chain: the intent and the signed raw
 * transaction (nonce fixed) are written before it is sent; on a later call with the same key the
 * stored transactions are looked up, and the latest is sent again if the node does not know it. A
 * transaction not mined within `stuckTxAfterMs` is replaced with the same nonce and bumped fees
 * (under the ceiling). Resolves with the mined transaction; a reverted one fails the leg.
 */
export async function runCronosLeg(leg: CronosLeg, deps: CronosLegDeps): Promise<MinedTx> {
  const { leadership } = deps.store;
  // Only a leader that is not handing over sends; the next leader resumes a leg refused here.
  const refusal = leadership.effectRefusal();
  if (refusal) {
    throw new EffectError(
      refusal.final ? "fatal" : "retryable",
      `Cronos ${leg.kind} ${leg.key} not sent: ${refusal.reason}`,
    );
  }
  return leadership.track(() => sendCronosLeg(leg, deps));
}

async function sendCronosLeg(leg: CronosLeg, deps: CronosLegDeps): Promise<MinedTx> {
  const { client, store, policy, logger } = deps;
  const log = logger.child({ leg: leg.kind, key: leg.key });
  const stored = store.intents.get(leg.key);
  if (stored?.state === "failed") {
    throw new EffectError(
      "fatal",
      `Cronos ${leg.kind} ${leg.key} failed earlier: ${stored.error ?? "reverted"}`,
    );
  }
  let txs = store.cronosTxs.list(leg.key);
  if (txs.length === 0) {
    // One account's legs take their nonces one at a time (a swap and a child's CRO may overlap).
    await oneAtATime(client.address, async () => {
      const fees = await feesUnderCeiling(client, policy.gasFeeCeilingWei);
      const call = await leg.call(fees);
      const nonce = await client.pendingNonce();
      const signed = await client.sign(call, nonce, fees);
      store.transaction(() => {
        store.intents.record({ key: leg.key, kind: leg.kind, payload: leg.payload });
        store.cronosTxs.record({
          intentKey: leg.key,
          nonce,
          txHash: signed.hash,
          rawTx: signed.rawTx,
          maxFeePerGas: fees.maxFeePerGas.toString(),
        });
        store.intents.attachTx(leg.key, { hash: signed.hash });
      });
      log.info({ txHash: signed.hash, nonce }, "signed");
      deps.onStep?.(leg.kind, "signed");
      await client.broadcast(signed.rawTx);
      deps.onStep?.(leg.kind, "sent");
    });
    txs = store.cronosTxs.list(leg.key);
  } else {
    log.info({ txHash: txs.at(-1)?.txHash }, "resuming a signed leg");
  }

  let resent = false;
  let nonceUsedLooks = 0;
  for (;;) {
    for (const tx of [...txs].reverse()) {
      const mined = await client.mined(tx.txHash);
      if (!mined) continue;
      if (!mined.succeeded) {
        store.intents.fail(leg.key, `transaction ${tx.txHash} reverted`);
        throw new EffectError("fatal", `Cronos ${leg.kind} transaction ${tx.txHash} reverted`);
      }
      store.intents.complete(leg.key, { txHash: tx.txHash });
      deps.onStep?.(leg.kind, "mined");
      return mined;
    }
    const latest = txs.at(-1)!;
    if ((await client.minedNonce()) > latest.nonce) {
      // The nonce is used but none of this leg's transactions shows a receipt yet: look again, a
      // few times, before concluding that another transaction took the nonce.
      nonceUsedLooks += 1;
      if (nonceUsedLooks > 20) {
        store.intents.fail(leg.key, `nonce ${latest.nonce} was used by another transaction`);
        throw new EffectError(
          "fatal",
          `Cronos ${leg.kind} ${leg.key}: nonce ${latest.nonce} was used by a transaction that is not this leg's`,
        );
      }
      await abortablePause(policy.pollIntervalMs, deps.signal);
    } else if (!resent && !(await client.known(latest.txHash))) {
      // Signed before a crash and never sent, or dropped from the mempool: the same bytes again.
      await client.broadcast(latest.rawTx);
      resent = true;
    } else if (deps.now() - latest.createdAt >= policy.stuckTxAfterMs) {
      const replaced = await replace(latest.rawTx, latest.nonce, leg, deps);
      if (replaced) {
        txs = store.cronosTxs.list(leg.key);
        resent = false;
      } else {
        await abortablePause(policy.pollIntervalMs, deps.signal);
      }
    } else {
      await abortablePause(policy.pollIntervalMs, deps.signal);
    }
    if (deps.signal?.aborted)
      throw new EffectError("retryable", `Cronos ${leg.kind} ${leg.key} stopped while waiting`);
  }
}

/** The tail of the work queued per sending address in this process. */
const sendingQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after every earlier one queued for `address` has settled, so two legs of one account
 * never read the same pending nonce.
 */
async function oneAtATime<T>(address: string, work: () => Promise<T>): Promise<T> {
  const before = sendingQueues.get(address) ?? Promise.resolve();
  const run = before.then(work, work);
  const tail = run.catch(() => undefined);
  sendingQueues.set(address, tail);
  try {
    return await run;
  } finally {
    if (sendingQueues.get(address) === tail) sendingQueues.delete(address);
  }
}

/** Signs the same call with the same nonce and bumped fees, records it, then sends it. */
async function replace(rawTx: string, nonce: number, leg: CronosLeg, deps: CronosLegDeps): Promise<boolean> {
  const { client, store, policy, logger } = deps;
  const previous = Transaction.from(rawTx);
  const suggested = await client.suggestedFees();
  const fees = bumpedFees(
    { maxFeePerGas: previous.maxFeePerGas ?? 0n, maxPriorityFeePerGas: previous.maxPriorityFeePerGas ?? 0n },
    suggested,
    policy.gasFeeCeilingWei,
  );
  if (!fees) {
    logger.warn(
      { key: leg.key },
      "a stuck Cronos transaction cannot be replaced under the gas fee ceiling: waiting",
    );
    return false;
  }
  const call: EvmCall = {
    to: previous.to!,
    data: previous.data,
    value: previous.value,
    gasLimit: previous.gasLimit,
  };
  const signed = await client.sign(call, nonce, fees);
  store.cronosTxs.record({
    intentKey: leg.key,
    nonce,
    txHash: signed.hash,
    rawTx: signed.rawTx,
    maxFeePerGas: fees.maxFeePerGas.toString(),
  });
  logger.info(
    { key: leg.key, txHash: signed.hash, maxFeePerGas: fees.maxFeePerGas.toString() },
    "replacing a stuck Cronos transaction",
  );
  await client.broadcast(signed.rawTx);
  return true;
}
