import {
  QueryAggregatedPriceRequest,
  QueryAggregatedPriceResponse,
  QueryPricesRequest,
  QueryPricesResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import type { Chain } from "../../chain/chain.js";
import { GrpcCode, QueryError } from "../../chain/chain-errors.js";
import { DEC_ONE, decToString } from "../../chain/decimal.js";
import { paginate } from "../pagination.js";
import type { QueryRouter } from "../query-router.js";

/** The single price source of the devnet oracle: AKT at the configured USD price; ACT pegged at 1 USD. */
export function registerOracleQueries(router: QueryRouter, chain: Chain): void {
  const priceOf = (denom: string) => {
    if (denom === "uakt" || denom === "akt") return chain.state.params.aktPriceUsd;
    if (denom === "uact" || denom === "act") return DEC_ONE;
    throw new QueryError(GrpcCode.NotFound, `aggregated price not found for ${denom}`);
  };
  router
    .add(
      "/akash.oracle.v1.Query/AggregatedPrice",
      QueryAggregatedPriceRequest,
      QueryAggregatedPriceResponse,
      (req) => {
        const price = decToString(priceOf(req.denom));
        return {
          aggregatedPrice: {
            denom: req.denom,
            twap: price,
            medianPrice: price,
            minPrice: price,
            maxPrice: price,
            timestamp: chain.latestBlock.time,
            numSources: 1,
            deviationBps: "0",
          },
          priceHealth: {
            denom: req.denom,
            isHealthy: true,
            hasMinSources: true,
            deviationOk: true,
            totalSources: 1,
            totalHealthySources: 1,
            failureReason: [],
          },
        };
      },
    )
    .add("/akash.oracle.v1.Query/Prices", QueryPricesRequest, QueryPricesResponse, (req) => {
      const denoms = ["uakt", "uact"].filter((d) => !req.filters?.assetDenom || req.filters.assetDenom === d);
      const all = denoms.map((denom) => ({
        id: { source: 1, denom, baseDenom: "usd", height: chain.height.toString() },
        state: { price: decToString(priceOf(denom)), timestamp: chain.latestBlock.time },
      }));
      const page = paginate(all, req.pagination);
      return { prices: page.items, pagination: page.pagination };
    });
}
