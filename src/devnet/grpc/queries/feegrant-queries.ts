import {
  QueryAllowanceRequest,
  QueryAllowanceResponse,
  QueryAllowancesByGranterRequest,
  QueryAllowancesByGranterResponse,
  QueryAllowancesRequest,
  QueryAllowancesResponse,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { isAkashAddress } from "../../chain/addresses.js";
import type { Chain } from "../../chain/chain.js";
import { GrpcCode, QueryError } from "../../chain/chain-errors.js";
import { type FeeAllowanceRecord, feeAllowanceKey } from "../../chain/chain-state.js";
import { paginate } from "../pagination.js";
import type { QueryRouter } from "../query-router.js";

const grantOf = (r: FeeAllowanceRecord) => ({
  granter: r.granter,
  grantee: r.grantee,
  allowance: { typeUrl: r.typeUrl, value: r.value },
});

function requireAddress(address: string): void {
  if (!address) throw new QueryError(GrpcCode.InvalidArgument, "empty address string is not allowed");
  if (!isAkashAddress(address)) throw new QueryError(GrpcCode.InvalidArgument, `invalid address ${address}`);
}

/** cosmos.feegrant.v1beta1.Query: one allowance, and the allowances by grantee or by granter. */
export function registerFeegrantQueries(router: QueryRouter, chain: Chain): void {
  router
    .add("/cosmos.feegrant.v1beta1.Query/Allowance", QueryAllowanceRequest, QueryAllowanceResponse, (req) => {
      requireAddress(req.granter);
      requireAddress(req.grantee);
      const found = chain.state.feeAllowances.get(feeAllowanceKey(req.granter, req.grantee));
      if (!found) throw new QueryError(GrpcCode.Internal, "fee-grant not found: not found");
      return { allowance: grantOf(found) };
    })
    .add(
      "/cosmos.feegrant.v1beta1.Query/Allowances",
      QueryAllowancesRequest,
      QueryAllowancesResponse,
      (req) => {
        requireAddress(req.grantee);
        const all = [...chain.state.feeAllowances.values()].filter((r) => r.grantee === req.grantee);
        const page = paginate(all, req.pagination);
        return { allowances: page.items.map(grantOf), pagination: page.pagination };
      },
    )
    .add(
      "/cosmos.feegrant.v1beta1.Query/AllowancesByGranter",
      QueryAllowancesByGranterRequest,
      QueryAllowancesByGranterResponse,
      (req) => {
        requireAddress(req.granter);
        const all = [...chain.state.feeAllowances.values()].filter((r) => r.granter === req.granter);
        const page = paginate(all, req.pagination);
        return { allowances: page.items.map(grantOf), pagination: page.pagination };
      },
    );
}
