import type { AgentConfig } from "../config/index.js";
import type { CronosEndpoints } from "../services/cronos/index.js";

/** The configured Cronos endpoints of sandbox or mainnet, when every field is set (else no Cronos leg). */
export function configuredCronosEndpoints(config: AgentConfig): { cronos?: CronosEndpoints } {
  if (config.network === "devnet") return {};
  const { rpc, chainId, router, wcro, akt } = config.treasury.cronos[config.network];
  if (!rpc || chainId === undefined || !router || !wcro || !akt) return {};
  return { cronos: { rpc, chainId, router, wcro, akt } };
}
