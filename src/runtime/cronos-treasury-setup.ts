import type { CronosTreasury } from "../actors/cronos-treasury.js";
import type { AgentConfig } from "../config/index.js";
import type { Logger } from "../logging/index.js";
import { CronosClient, type CronosPolicy } from "../services/cronos/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import { cronosCrashPointFromEnv } from "./cronos-crash-point.js";
import type { FundMode } from "./fund-mode.js";
import type { NetworkConnection } from "./network-connection.js";

export function cronosPolicyFromConfig(config: AgentConfig, pollIntervalMs: number): CronosPolicy {
  const { treasury, budget } = config;
  return {
    gasFeeCeilingWei: BigInt(Math.round(treasury.gasFeeCeilingGwei * 1e9)),
    stuckTxAfterMs: treasury.stuckTxAfterMs,
    swapDeadlineSeconds: treasury.swapDeadlineSeconds,
    slippageCapPercent: treasury.slippageCapPercent,
    perSwapCapUsd: budget.perSwapCapUsd,
    croUsd: budget.croUsd,
    bridgeWaitMs: treasury.bridgeWaitMs,
    pollIntervalMs,
  };
}

/**
 * The treasury's Cronos side for this run, when the network has Cronos endpoints: the agent's EVM key
 * on a client whose chain id is checked first.
 */
export async function connectCronosTreasury(input: {
  config: AgentConfig;
  connection: NetworkConnection;
  keys: AgentKeys;
  logger: Logger;
  fund: FundMode;
}): Promise<CronosTreasury | undefined> {
  const { connection } = input;
  if (!connection.cronos) {
    input.logger.info("no Cronos endpoints for this network: the treasury has no CRO→AKT route");
    return undefined;
  }
  const client = new CronosClient(connection.cronos, input.keys.evmKey().privateKey);
  try {
    await client.checkChain();
  } catch (error) {
    client.close();
    throw error;
  }
  const onStep = cronosCrashPointFromEnv();
  return {
    client,
    policy: cronosPolicyFromConfig(input.config, connection.pollIntervalMs),
    fundAkash: input.fund === "all",
    ...(connection.cronosFaucet ? { faucet: connection.cronosFaucet } : {}),
    ...(onStep ? { onStep } : {}),
  };
}
