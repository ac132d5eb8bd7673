import type { AgentConfig } from "../config/index.js";

/** Chain id of the embedded devnet (src/devnet) unless a running devnet says otherwise. */
export const DEVNET_CHAIN_ID = "akash-devnet-1";

export function chainIdOf(config: AgentConfig): string {
  return config.network === "devnet" ? DEVNET_CHAIN_ID : config.networks[config.network].chainId;
}
