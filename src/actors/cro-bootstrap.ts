import type { Logger } from "../logging/index.js";
import type { AkashChain } from "../services/akash/akash-service.js";
import { swapCroToAkt } from "../services/cronos/index.js";
import type { AgentStore } from "../services/store/index.js";
import type { CronosTreasury } from "./cronos-treasury.js";
import { cronosLegDeps } from "./treasury-readings.js";

/** CRO the devnet sends an agent's EVM address on its first run: $200 at the devnet's $0.10. */
export const DEVNET_CRO_GRANT_WEI = 2_000n * 10n ** 18n;

export interface CroBootstrapInput {
  cronos: CronosTreasury;
  /** False: only fund the EVM address from the devnet's faucet (the Akash account is funded apart). */
  swap: boolean;
  /** The bootstrap swap's idempotency key. */
  key: string;
  akash: string;
  minimumUakt: bigint;
  chain: AkashChain;
  store: AgentStore;
  logger: Logger;
  now: () => number;
  aktUsdFallback: number;
  signal: AbortSignal;
}

/**
 * An agent whose Akash account is short (or does not exist yet) but whose EVM address holds CRO
 * funds itself: one CRO→AKT swap bridged to its own Akash address, for what is missing. The bridged
 * AKT also pays its first Akash fees. A refusal (caps, slippage, no CRO) is logged and the agent keeps
 * waiting for AKT from the operator.
 */
export async function bootstrapFromCro(input: CroBootstrapInput): Promise<void> {
  const { cronos, chain, logger } = input;
  if (cronos.faucet && (await cronos.client.croWei()) === 0n) {
    logger.info({ address: cronos.client.address }, "devnet: funding the agent's EVM address with CRO");
    await cronos.faucet(cronos.client.address, DEVNET_CRO_GRANT_WEI);
  }
  if (!input.swap) return;
  const current = BigInt((await chain.balances(input.akash)).uakt);
  if (current >= input.minimumUakt) return;
  if ((await cronos.client.croWei()) === 0n && !input.store.intents.get(`${input.key}:swap`)) return;
  const missing = input.minimumUakt - current;
  logger.info(
    { missingUakt: missing.toString(), evm: cronos.client.address },
    "funding the Akash account from CRO",
  );
  try {
    const result = await swapCroToAkt(
      {
        key: input.key,
        amountUakt: missing.toString(),
        akashAddress: input.akash,
        aktUsd: await chain.aktPriceUsd().catch(() => input.aktUsdFallback),
        akashUakt: async () => BigInt((await chain.balances(input.akash)).uakt),
      },
      cronosLegDeps(cronos, input),
    );
    logger.info(
      { receivedUakt: result.receivedUakt, spentUsd: Number(result.spentUsd.toFixed(2)) },
      "funded from CRO",
    );
  } catch (error) {
    logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      "could not fund the Akash account from CRO: send AKT to the agent's address",
    );
  }
}
