import { EffectError } from "../../domain/index.js";
import type { CronosClient, MinedTx } from "./cronos-client.js";
import { TRANSFER_GAS } from "./cronos-client.js";
import { type CronosLegDeps, runCronosLeg } from "./cronos-leg.js";

/** What a CRO transfer leg keeps in its intent. */
type TransferPayload = {
  purpose: string;
  to: string;
  wei: string;
};

export interface CroTransfer {
  /** The transfer's idempotency key: one transaction on chain per key, whatever happens. */
  readonly key: string;
  /** Why it is sent (kept in the intent): `child_funding`, `child_cro_sweep` … */
  readonly purpose: string;
  readonly to: string;
  readonly wei: bigint;
}

/**
 * An ordinary CRO transfer from the client's address (EIP-1559, signed locally with a fixed nonce):
 * the intent and the signed transaction are recorded before it is sent, and a second call with the
 * same key looks the recorded transaction up (its receipt, or its nonce already used) instead of
 * sending again. Resolves with the mined transaction.
 */
export async function sendCro(transfer: CroTransfer, deps: CronosLegDeps): Promise<MinedTx> {
  const payload: TransferPayload = {
    purpose: transfer.purpose,
    to: transfer.to,
    wei: transfer.wei.toString(),
  };
  return runCronosLeg(
    {
      key: transfer.key,
      kind: "cronos_transfer",
      payload: { ...payload },
      call: () => deps.client.transferCall(transfer.to, transfer.wei),
    },
    deps,
  );
}

export interface CroSweep {
  readonly key: string;
  readonly purpose: string;
  /** Where everything goes. */
  readonly to: string;
}

export interface CroSweepResult {
  /** CRO moved, wei; 0 when there was nothing above the transfer's fee. */
  readonly sweptWei: bigint;
  readonly tx: MinedTx | null;
}

/**
 * Sends everything `deps.client` holds to `to`, less the transfer's fee at the fees it is signed
 * with (21000 gas × maxFeePerGas; what the block charges under that stays behind as dust). Crash-safe
 * like {@link sendCro}: once signed, a run again finishes that very transaction. An address holding no
 * more than the fee sends nothing.
 */
export async function sweepCro(sweep: CroSweep, deps: CronosLegDeps): Promise<CroSweepResult> {
  const { client, store } = deps;
  const started = store.intents.get(sweep.key);
  if (!started) {
    const held = await client.croWei();
    const fees = await client.suggestedFees();
    const ceiling = deps.policy.gasFeeCeilingWei;
    const maxFee = fees.maxFeePerGas < ceiling ? fees.maxFeePerGas : ceiling;
    if (held <= maxFee * TRANSFER_GAS) return { sweptWei: 0n, tx: null };
  }
  // Filled in when the transaction is signed, before the intent holding it is written.
  const payload: TransferPayload = { purpose: sweep.purpose, to: sweep.to, wei: "0" };
  const tx = await runCronosLeg(
    {
      key: sweep.key,
      kind: "cronos_transfer",
      payload,
      call: async (fees) => {
        const value = await sweepable(client, fees.maxFeePerGas);
        payload.wei = value.toString();
        return client.transferCall(sweep.to, value);
      },
    },
    deps,
  );
  // A sweep resumed after a crash reads what it sent from its intent.
  const recorded = (store.intents.get(sweep.key)?.payload as Partial<TransferPayload> | null)?.wei;
  return { sweptWei: BigInt(recorded ?? payload.wei), tx };
}

async function sweepable(client: CronosClient, maxFeePerGas: bigint): Promise<bigint> {
  const held = await client.croWei();
  const value = held - maxFeePerGas * TRANSFER_GAS;
  if (value <= 0n) {
    throw new EffectError(
      "retryable",
      `${client.address} holds ${held} wei, no more than a transfer's fee now: nothing to sweep yet`,
    );
  }
  return value;
}
