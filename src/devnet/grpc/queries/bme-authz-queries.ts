import {
  QueryParamsRequest as BmeParamsRequest,
  QueryParamsResponse as BmeParamsResponse,
  QueryLedgerRecordsRequest,
  QueryLedgerRecordsResponse,
  QueryStatusRequest,
  QueryStatusResponse,
  QueryVaultStateRequest,
  QueryVaultStateResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  QueryGranteeGrantsRequest,
  QueryGranteeGrantsResponse,
  QueryGranterGrantsRequest,
  QueryGranterGrantsResponse,
  QueryGrantsRequest,
  QueryGrantsResponse,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import type { Chain } from "../../chain/chain.js";
import { GrpcCode, QueryError } from "../../chain/chain-errors.js";
import type { GrantRecord, LedgerRecordEntry } from "../../chain/chain-state.js";
import { decToString } from "../../chain/decimal.js";
import { LedgerStatus } from "../../chain/modules/bme.js";
import { paginate } from "../pagination.js";
import type { QueryRouter } from "../query-router.js";
import { LEDGER_STATES, parseStateFilter } from "../state-filters.js";

const MINT_STATUS_HEALTHY = 1;

function ledgerEntry(r: LedgerRecordEntry) {
  const id = {
    denom: r.denom,
    toDenom: r.toDenom,
    source: r.owner,
    height: r.height.toString(),
    sequence: r.sequence.toString(),
  };
  if (r.status === LedgerStatus.pending) {
    return {
      id,
      status: r.status,
      pendingRecord: {
        owner: r.owner,
        to: r.to,
        coinsToBurn: { denom: r.denom, amount: r.burned.toString() },
        denomToMint: r.toDenom,
      },
    };
  }
  const price = decToString(r.price ?? 0n);
  return {
    id,
    status: r.status,
    executedRecord: {
      burnedFrom: r.owner,
      mintedTo: r.to,
      burner: r.owner,
      minter: r.to,
      burned: { coin: { denom: r.denom, amount: r.burned.toString() }, price },
      minted: { coin: { denom: r.toDenom, amount: (r.minted ?? 0n).toString() }, price },
    },
  };
}

const grantPartial = (g: GrantRecord) => ({
  authorization: { typeUrl: g.authorizationTypeUrl, value: g.authorization },
  expiration: g.expiration,
});

export function registerBmeAuthzQueries(router: QueryRouter, chain: Chain): void {
  const liveGrants = () => {
    const now = chain.latestBlock.time.getTime();
    return [...chain.state.grants.values()].filter((g) => !g.expiration || g.expiration.getTime() > now);
  };
  router
    .add("/akash.bme.v1.Query/Params", BmeParamsRequest, BmeParamsResponse, () => ({
      params: {
        circuitBreakerWarnThreshold: 9500,
        circuitBreakerHaltThreshold: 9000,
        minEpochBlocks: chain.state.params.bmeMinEpochBlocks.toString(),
        epochBlocksBackoffPercent: 0,
        mintSpreadBps: chain.state.params.bmeMintSpreadBps,
        settleSpreadBps: 0,
        maxEndblockerRecords: 1000,
      },
    }))
    .add("/akash.bme.v1.Query/VaultState", QueryVaultStateRequest, QueryVaultStateResponse, () => {
      const { vault } = chain.state;
      return {
        vaultState: {
          balances: [{ denom: "uakt", amount: vault.balanceUakt.toString() }],
          totalBurned: [{ denom: "uakt", amount: vault.burnedUakt.toString() }],
          totalMinted: [{ denom: "uact", amount: vault.mintedUact.toString() }],
          remintCredits: [],
        },
      };
    })
    .add("/akash.bme.v1.Query/Status", QueryStatusRequest, QueryStatusResponse, () => ({
      status: MINT_STATUS_HEALTHY,
      collateralRatio: "1.5",
      warnThreshold: "0.95",
      haltThreshold: "0.9",
      mintsAllowed: true,
      refundsAllowed: true,
    }))
    .add(
      "/akash.bme.v1.Query/LedgerRecords",
      QueryLedgerRecordsRequest,
      QueryLedgerRecordsResponse,
      (req) => {
        const f = req.filters;
        const status = parseStateFilter(f?.status ?? "", LEDGER_STATES);
        const all = [...chain.state.ledger.values()].filter(
          (r) =>
            (!f?.source || r.owner === f.source) &&
            (!f?.denom || r.denom === f.denom) &&
            (!f?.toDenom || r.toDenom === f.toDenom) &&
            (status === undefined || r.status === status),
        );
        const page = paginate(all, req.pagination);
        return { records: page.items.map(ledgerEntry), pagination: page.pagination };
      },
    )
    .add("/cosmos.authz.v1beta1.Query/Grants", QueryGrantsRequest, QueryGrantsResponse, (req) => {
      if (!req.granter || !req.grantee)
        throw new QueryError(GrpcCode.InvalidArgument, "empty address string is not allowed");
      const found = liveGrants().filter(
        (g) =>
          g.granter === req.granter &&
          g.grantee === req.grantee &&
          (!req.msgTypeUrl || g.msgTypeUrl === req.msgTypeUrl),
      );
      if (req.msgTypeUrl && found.length === 0) {
        throw new QueryError(GrpcCode.NotFound, `authorization not found for ${req.msgTypeUrl} type`);
      }
      const page = paginate(found, req.pagination);
      return { grants: page.items.map(grantPartial), pagination: page.pagination };
    })
    .add(
      "/cosmos.authz.v1beta1.Query/GranterGrants",
      QueryGranterGrantsRequest,
      QueryGranterGrantsResponse,
      (req) => {
        const page = paginate(
          liveGrants().filter((g) => g.granter === req.granter),
          req.pagination,
        );
        return {
          grants: page.items.map((g) => ({ granter: g.granter, grantee: g.grantee, ...grantPartial(g) })),
          pagination: page.pagination,
        };
      },
    )
    .add(
      "/cosmos.authz.v1beta1.Query/GranteeGrants",
      QueryGranteeGrantsRequest,
      QueryGranteeGrantsResponse,
      (req) => {
        const page = paginate(
          liveGrants().filter((g) => g.grantee === req.grantee),
          req.pagination,
        );
        return {
          grants: page.items.map((g) => ({ granter: g.granter, grantee: g.grantee, ...grantPartial(g) })),
          pagination: page.pagination,
        };
      },
    );
}
