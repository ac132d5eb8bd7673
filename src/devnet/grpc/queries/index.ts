import type { Chain } from "../../chain/chain.js";
import { QueryRouter } from "../query-router.js";
import { registerBmeAuthzQueries } from "./bme-authz-queries.js";
import { registerCosmosQueries } from "./cosmos-queries.js";
import { registerDeploymentMarketQueries } from "./deployment-market-queries.js";
import { registerEscrowProviderQueries } from "./escrow-provider-queries.js";
import { registerFeegrantQueries } from "./feegrant-queries.js";
import { registerOracleQueries } from "./oracle-queries.js";

/** Every query service the devnet node serves over gRPC and abci_query. */
export function buildQueryRouter(chain: Chain, validatorAddress: Uint8Array): QueryRouter {
  const router = new QueryRouter();
  registerCosmosQueries(router, chain, validatorAddress);
  registerDeploymentMarketQueries(router, chain);
  registerEscrowProviderQueries(router, chain);
  registerBmeAuthzQueries(router, chain);
  registerFeegrantQueries(router, chain);
  registerOracleQueries(router, chain);
  return router;
}
