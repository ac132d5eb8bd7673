import { EffectError } from "../../domain/index.js";
import { abortablePause } from "../abortable-pause.js";
import type { CronosClient, MinedTx } from "./cronos-client.js";
import { type CronosLegDeps, runCronosLeg } from "./cronos-leg.js";

const WEI_PER_CRO = 10n ** 18n;
const UNITS_PER_AKT = 10n ** 6n;

export interface CroToAktRequest {
  /** The need's idempotency key: one swap and one bridge transfer (plus one retry) per key. */
  readonly key: string;
  /** uakt wanted on the Akash account. */
  readonly amountUakt: string;
  /** The agent's own Akash address (the bridge recipient). */
  readonly akashAddress: string;
  /** USD price of AKT (the Akash oracle's), the slippage check's reference with `croUsd`. */
  readonly aktUsd: number;
  /** Reads the Akash account's uakt (0 while the account does not exist). */
  readonly akashUakt: () => Promise<bigint>;
}

export interface CroToAktResult {
  readonly receivedUakt: string;
  readonly spentCroWei: string;
  readonly feesWei: string;
  /** CRO spent plus fees, in USD at the reference CRO price. */
  readonly spentUsd: number;
  readonly swapTxHash: string | null;
  readonly bridgeTxHashes: string[];
}

/** The quote of a swap and how far it is from the oracle price. */
export interface SwapQuote {
  readonly croWei: bigint;
  readonly aktUnits: bigint;
  /** How much worse than the reference price the quote is, percent (fee and price impact included). */
  readonly slippagePercent: number;
  readonly usd: number;
}

interface SwapPayload {
  need: string;
  croWei: string;
  quotedAktUnits: string;
  amountOutMin: string;
  deadlineSeconds: number;
  slippagePercent: number;
}

interface BridgePayload {
  need: string;
  aktUnits: string;
  recipient: string;
  /** uakt on the Akash account just before the transfer was signed: arrival is a rise by the amount. */
  baselineUakt: string;
}

function croOf(wei: bigint): number {
  return Number(wei) / Number(WEI_PER_CRO);
}

/** Quotes `aktUnits` of AKT with `getAmountsIn`/`getAmountsOut` and measures it against the oracle price. */
export async function quoteSwap(
  client: CronosClient,
  aktUnits: bigint,
  prices: { aktUsd: number; croUsd: number },
): Promise<SwapQuote> {
  // Both reads at one block: a price move between them would make a bad quote look fair.
  const at = await client.blockNumber();
  const croWei = await client.croNeededFor(aktUnits, at);
  const quoted = await client.quoteAktFor(croWei, at);
  const referenceCroPerAkt = prices.aktUsd / prices.croUsd;
  const quotedCroPerAkt = croOf(croWei) / (Number(quoted) / Number(UNITS_PER_AKT));
  return {
    croWei,
    aktUnits: quoted,
    slippagePercent: (quotedCroPerAkt / referenceCroPerAkt - 1) * 100,
    usd: croOf(croWei) * prices.croUsd,
  };
}

/**
 * CRO → AKT on Cronos → uakt on Akash, for one need: quote (refused above the slippage cap or the
 * per-swap cap) → `swapExactETHForTokens` with a floor and a deadline in seconds → `send_to_ibc` to
 * the agent's Akash address → wait for the uakt (or the refund: then the bridge is tried once more).
 * Every leg is crash-safe (see runCronosLeg): calling again with the same key resumes, it never
 * signs a second swap or transfer for the need.
 */
export async function swapCroToAkt(request: CroToAktRequest, deps: CronosLegDeps): Promise<CroToAktResult> {
  const { client, store, policy, logger } = deps;
  const log = logger.child({ need: request.key });
  const swapKey = `${request.key}:swap`;
  const bridgeKeys = [`${request.key}:bridge`, `${request.key}:bridge-retry`];
  const wanted = BigInt(request.amountUakt);
  let feesWei = 0n;
  let spentCroWei = 0n;
  let swapTx: MinedTx | null = null;

  // A need whose bridge already started never swaps again, whatever the balances say now.
  const bridgeStarted = bridgeKeys.some((key) => store.intents.get(key));
  const swapStarted = store.intents.get(swapKey) !== undefined;
  if (swapStarted) {
    swapTx = await runCronosLeg(
      {
        key: swapKey,
        kind: "cronos_swap",
        payload: null,
        call: () => {
          throw new Error(`swap ${swapKey} has an intent but no signed transaction`);
        },
      },
      deps,
    );
  } else if (!bridgeStarted && (await client.aktUnits()) < wanted) {
    const quote = await quoteSwap(client, wanted, { aktUsd: request.aktUsd, croUsd: policy.croUsd });
    const numbers = `${croOf(quote.croWei).toFixed(4)} CRO ($${quote.usd.toFixed(2)}) for ${Number(quote.aktUnits) / 1e6} AKT`;
    if (quote.slippagePercent > policy.slippageCapPercent) {
      throw new EffectError(
        "cap_exceeded",
        `swap refused: the quote (${numbers}) is ${quote.slippagePercent.toFixed(2)}% worse than the oracle price (AKT $${request.aktUsd}, CRO $${policy.croUsd}); the slippage cap is ${policy.slippageCapPercent}% (treasury.slippageCapPercent)`,
      );
    }
    if (quote.usd > policy.perSwapCapUsd) {
      throw new EffectError(
        "cap_exceeded",
        `swap refused: ${numbers} is over the per-swap cap of $${policy.perSwapCapUsd} (budget.perSwapCapUsd)`,
      );
    }
    const croHeld = await client.croWei();
    const gasRoom = policy.gasFeeCeilingWei * 400_000n;
    if (croHeld < quote.croWei + gasRoom) {
      throw new EffectError(
        "insufficient_funds",
        `swap refused: it needs ${croOf(quote.croWei + gasRoom).toFixed(4)} CRO with gas but ${client.address} holds ${croOf(croHeld).toFixed(4)} CRO`,
      );
    }
    const capBasisPoints = BigInt(Math.floor(policy.slippageCapPercent * 100));
    const payload: SwapPayload = {
      need: request.key,
      croWei: quote.croWei.toString(),
      quotedAktUnits: quote.aktUnits.toString(),
      amountOutMin: ((quote.aktUnits * (10_000n - capBasisPoints)) / 10_000n).toString(),
      deadlineSeconds: Math.floor(deps.now() / 1000) + policy.swapDeadlineSeconds,
      slippagePercent: Number(quote.slippagePercent.toFixed(4)),
    };
    log.info(
      {
        croWei: payload.croWei,
        quotedAktUnits: payload.quotedAktUnits,
        slippagePercent: payload.slippagePercent,
      },
      "swapping CRO for AKT",
    );
    swapTx = await runCronosLeg(
      {
        key: swapKey,
        kind: "cronos_swap",
        payload: { ...payload },
        call: () =>
          client.swapCall({
            croWei: quote.croWei,
            amountOutMin: BigInt(payload.amountOutMin),
            deadlineSeconds: payload.deadlineSeconds,
          }),
      },
      deps,
    );
  }
  if (swapTx) {
    const payload = store.intents.get(swapKey)?.payload as unknown as SwapPayload | null;
    spentCroWei = BigInt(payload?.croWei ?? "0");
    feesWei += swapTx.feeWei;
    store.spending.record({
      key: swapKey,
      kind: "swap",
      denom: "wei",
      amount: spentCroWei,
      txHash: swapTx.hash,
    });
    store.spending.record({
      key: `${swapKey}:fee`,
      kind: "fee",
      denom: "wei",
      amount: swapTx.feeWei,
      txHash: swapTx.hash,
    });
  }

  const bridgeHashes: string[] = [];
  let receivedUakt = 0n;
  let previousAktUnits: bigint | null = null;
  for (const [attempt, bridgeKey] of bridgeKeys.entries()) {
    const started = store.intents.get(bridgeKey);
    const aktUnits: bigint = started
      ? BigInt((started.payload as unknown as BridgePayload).aktUnits)
      : (previousAktUnits ?? (swapTx ? swapTx.aktReceived : await aktToBridge(client, wanted)));
    previousAktUnits = aktUnits;
    if (aktUnits <= 0n) throw new EffectError("retryable", `no AKT on Cronos to bridge for ${request.key}`);
    const payload: BridgePayload = started
      ? (started.payload as unknown as BridgePayload)
      : {
          need: request.key,
          aktUnits: aktUnits.toString(),
          recipient: request.akashAddress,
          baselineUakt: (await request.akashUakt()).toString(),
        };
    const bridgeTx = await runCronosLeg(
      {
        key: bridgeKey,
        kind: "cronos_bridge",
        payload: { ...payload },
        call: () => client.sendToIbcCall({ recipient: request.akashAddress, aktUnits }),
      },
      deps,
    );
    bridgeHashes.push(bridgeTx.hash);
    feesWei += bridgeTx.feeWei;
    store.spending.record({
      key: `${bridgeKey}:fee`,
      kind: "fee",
      denom: "wei",
      amount: bridgeTx.feeWei,
      txHash: bridgeTx.hash,
    });
    const outcome = await waitForArrival(request, payload, bridgeTx.blockNumber, deps);
    if (outcome === "arrived") {
      receivedUakt = BigInt(payload.aktUnits);
      break;
    }
    log.warn({ bridgeKey, aktUnits: payload.aktUnits }, "the bridge transfer was refunded on Cronos");
    if (attempt === bridgeKeys.length - 1) {
      throw new EffectError(
        "retryable",
        `the bridge transfer of ${Number(payload.aktUnits) / 1e6} AKT to ${request.akashAddress} was refunded twice; the AKT stays on Cronos (${client.address}) for the next try`,
      );
    }
  }
  const usd = croOf(spentCroWei + feesWei) * policy.croUsd;
  return {
    receivedUakt: receivedUakt.toString(),
    spentCroWei: spentCroWei.toString(),
    feesWei: feesWei.toString(),
    spentUsd: usd,
    swapTxHash: swapTx?.hash ?? null,
    bridgeTxHashes: bridgeHashes,
  };
}

/** AKT already on Cronos for a need with no swap (left by an earlier refund), up to what is wanted. */
async function aktToBridge(client: CronosClient, wanted: bigint): Promise<bigint> {
  const held = await client.aktUnits();
  return held < wanted ? held : wanted;
}

/** Waits until the uakt reaches the Akash account, or the AKT comes back on Cronos (a refund). */
async function waitForArrival(
  request: CroToAktRequest,
  payload: BridgePayload,
  sentAtBlock: number,
  deps: CronosLegDeps,
): Promise<"arrived" | "refunded"> {
  const deadline = deps.now() + deps.policy.bridgeWaitMs;
  const expected = BigInt(payload.baselineUakt) + BigInt(payload.aktUnits);
  for (;;) {
    if ((await request.akashUakt()) >= expected) return "arrived";
    if ((await deps.client.aktMintedToSelfSince(sentAtBlock)) >= BigInt(payload.aktUnits)) return "refunded";
    if (deps.now() >= deadline) {
      throw new EffectError(
        "retryable",
        `bridged AKT (${payload.aktUnits} units) has not reached ${request.akashAddress} after ${deps.policy.bridgeWaitMs} ms`,
      );
    }
    if (deps.signal?.aborted) throw new EffectError("retryable", "stopped while waiting for bridged AKT");
    await abortablePause(deps.policy.pollIntervalMs, deps.signal);
  }
}
