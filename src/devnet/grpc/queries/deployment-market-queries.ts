import {
  QueryParamsRequest as DeploymentParamsRequest,
  QueryParamsResponse as DeploymentParamsResponse,
  QueryDeploymentRequest,
  QueryDeploymentResponse,
  QueryDeploymentsRequest,
  QueryDeploymentsResponse,
  QueryGroupRequest,
  QueryGroupResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import {
  QueryParamsRequest as MarketParamsRequest,
  QueryParamsResponse as MarketParamsResponse,
  QueryBidRequest,
  QueryBidResponse,
  QueryBidsRequest,
  QueryBidsResponse,
  QueryLeaseRequest,
  QueryLeaseResponse,
  QueryLeasesRequest,
  QueryLeasesResponse,
  QueryOrderRequest,
  QueryOrderResponse,
  QueryOrdersRequest,
  QueryOrdersResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import { isAkashAddress } from "../../chain/addresses.js";
import type { Chain } from "../../chain/chain.js";
import { DeploymentErrors, GrpcCode, MarketErrors, QueryError } from "../../chain/chain-errors.js";
import {
  type BidRecord,
  bidKey,
  deploymentKey,
  groupKey,
  type LeaseRecord,
  orderKey,
  paymentKey,
} from "../../chain/chain-state.js";
import { groupsOf } from "../../chain/modules/deployment-keeper.js";
import { EscrowScope, getEscrowAccount } from "../../chain/modules/escrow-keeper.js";
import { bidEscrowXid, deploymentEscrowXid, leasePaymentXid } from "../../chain/modules/market-keeper.js";
import { paginate, requireStateWithOffset } from "../pagination.js";
import type { QueryRouter } from "../query-router.js";
import {
  bidPartial,
  deploymentPartial,
  escrowAccountPartial,
  groupPartial,
  leasePartial,
  orderPartial,
  paymentPartial,
} from "../record-encoding.js";
import {
  BID_STATES,
  DEPLOYMENT_STATES,
  LEASE_STATES,
  ORDER_STATES,
  parseStateFilter,
} from "../state-filters.js";

interface IdFilter {
  owner: string;
  dseq: { toString(): string };
  gseq?: number;
  oseq?: number;
  provider?: string;
  bseq?: number;
}

function matchesId(
  record: { owner: string; dseq: bigint; gseq?: number; oseq?: number; provider?: string; bseq?: number },
  filter: IdFilter | undefined,
): boolean {
  if (!filter) return true;
  if (filter.owner && record.owner !== filter.owner) return false;
  const dseq = BigInt(filter.dseq.toString());
  if (dseq !== 0n && record.dseq !== dseq) return false;
  if (filter.gseq && record.gseq !== filter.gseq) return false;
  if (filter.oseq && record.oseq !== filter.oseq) return false;
  if (filter.provider && record.provider !== filter.provider) return false;
  return true;
}

const requireOwner = (owner: string, what = "owner") => {
  if (!isAkashAddress(owner)) throw new QueryError(GrpcCode.InvalidArgument, `invalid ${what} address`);
};

export function registerDeploymentMarketQueries(router: QueryRouter, chain: Chain): void {
  const deploymentResponse = (owner: string, dseq: bigint) => {
    const deployment = chain.state.deployments.get(deploymentKey(owner, dseq));
    if (!deployment) throw DeploymentErrors.notFound();
    const account = getEscrowAccount(chain.state, EscrowScope.deployment, deploymentEscrowXid(owner, dseq));
    return {
      deployment: deploymentPartial(deployment),
      groups: groupsOf(chain.state, owner, dseq).map(groupPartial),
      escrowAccount: account ? escrowAccountPartial(account) : undefined,
    };
  };
  const bidResponse = (bid: BidRecord) => {
    const account = getEscrowAccount(chain.state, EscrowScope.bid, bidEscrowXid(bid));
    return { bid: bidPartial(bid), escrowAccount: account ? escrowAccountPartial(account) : undefined };
  };
  const leaseResponse = (lease: LeaseRecord) => {
    const payment = chain.state.payments.get(
      paymentKey(
        EscrowScope.deployment,
        deploymentEscrowXid(lease.owner, lease.dseq),
        leasePaymentXid(lease),
      ),
    );
    return { lease: leasePartial(lease), escrowPayment: payment ? paymentPartial(payment) : undefined };
  };

  router
    .add(
      "/akash.deployment.v1beta4.Query/Deployments",
      QueryDeploymentsRequest,
      QueryDeploymentsResponse,
      (req) => {
        const stateName = req.filters?.state ?? "";
        const state = parseStateFilter(stateName, DEPLOYMENT_STATES);
        requireStateWithOffset(req.pagination, stateName);
        const all = [...chain.state.deployments.values()]
          .filter((d) => matchesId(d, req.filters) && (state === undefined || d.state === state))
          .sort((a, b) => (a.owner === b.owner ? Number(a.dseq - b.dseq) : a.owner < b.owner ? -1 : 1));
        const page = paginate(all, req.pagination);
        return {
          deployments: page.items.map((d) => deploymentResponse(d.owner, d.dseq)),
          pagination: page.pagination,
        };
      },
    )
    .add(
      "/akash.deployment.v1beta4.Query/Deployment",
      QueryDeploymentRequest,
      QueryDeploymentResponse,
      (req) => {
        requireOwner(req.id?.owner ?? "");
        return deploymentResponse(req.id!.owner, BigInt(req.id!.dseq.toString()));
      },
    )
    .add("/akash.deployment.v1beta4.Query/Group", QueryGroupRequest, QueryGroupResponse, (req) => {
      requireOwner(req.id?.owner ?? "");
      const group = chain.state.groups.get(
        groupKey(req.id!.owner, BigInt(req.id!.dseq.toString()), req.id!.gseq),
      );
      if (!group) throw DeploymentErrors.groupNotFound();
      return { group: groupPartial(group) };
    })
    .add("/akash.deployment.v1beta4.Query/Params", DeploymentParamsRequest, DeploymentParamsResponse, () => ({
      params: {
        minDeposits: chain.state.params.deploymentMinDeposits.map((c) => ({
          denom: c.denom,
          amount: c.amount.toString(),
        })),
      },
    }))
    .add("/akash.market.v1beta5.Query/Orders", QueryOrdersRequest, QueryOrdersResponse, (req) => {
      const stateName = req.filters?.state ?? "";
      const state = parseStateFilter(stateName, ORDER_STATES);
      requireStateWithOffset(req.pagination, stateName);
      const all = [...chain.state.orders.values()].filter(
        (o) => matchesId(o, req.filters) && (state === undefined || o.state === state),
      );
      const page = paginate(all, req.pagination);
      return { orders: page.items.map(orderPartial), pagination: page.pagination };
    })
    .add("/akash.market.v1beta5.Query/Order", QueryOrderRequest, QueryOrderResponse, (req) => {
      requireOwner(req.id?.owner ?? "");
      const id = req.id!;
      const order = chain.state.orders.get(orderKey(id.owner, BigInt(id.dseq.toString()), id.gseq, id.oseq));
      if (!order) throw MarketErrors.orderNotFound();
      return { order: orderPartial(order) };
    })
    .add("/akash.market.v1beta5.Query/Bids", QueryBidsRequest, QueryBidsResponse, (req) => {
      const stateName = req.filters?.state ?? "";
      const state = parseStateFilter(stateName, BID_STATES);
      requireStateWithOffset(req.pagination, stateName);
      const all = [...chain.state.bids.values()].filter(
        (b) => matchesId(b, req.filters) && (state === undefined || b.state === state),
      );
      const page = paginate(all, req.pagination);
      return { bids: page.items.map(bidResponse), pagination: page.pagination };
    })
    .add("/akash.market.v1beta5.Query/Bid", QueryBidRequest, QueryBidResponse, (req) => {
      requireOwner(req.id?.owner ?? "");
      requireOwner(req.id?.provider ?? "", "provider");
      const id = req.id!;
      const bid = chain.state.bids.get(
        bidKey(id.owner, BigInt(id.dseq.toString()), id.gseq, id.oseq, id.provider, id.bseq),
      );
      if (!bid) throw MarketErrors.bidNotFound();
      return bidResponse(bid);
    })
    .add("/akash.market.v1beta5.Query/Leases", QueryLeasesRequest, QueryLeasesResponse, (req) => {
      const stateName = req.filters?.state ?? "";
      const state = parseStateFilter(stateName, LEASE_STATES);
      requireStateWithOffset(req.pagination, stateName);
      const all = [...chain.state.leases.values()].filter(
        (l) => matchesId(l, req.filters) && (state === undefined || l.state === state),
      );
      const page = paginate(all, req.pagination);
      return { leases: page.items.map(leaseResponse), pagination: page.pagination };
    })
    .add("/akash.market.v1beta5.Query/Lease", QueryLeaseRequest, QueryLeaseResponse, (req) => {
      requireOwner(req.id?.owner ?? "");
      const id = req.id!;
      const lease = chain.state.leases.get(
        bidKey(id.owner, BigInt(id.dseq.toString()), id.gseq, id.oseq, id.provider, id.bseq),
      );
      if (!lease) throw MarketErrors.leaseNotFound();
      return leaseResponse(lease);
    })
    .add("/akash.market.v1beta5.Query/Params", MarketParamsRequest, MarketParamsResponse, () => {
      const { params } = chain.state;
      const uakt = params.bidMinDeposits.find((c) => c.denom === "uakt");
      return {
        params: {
          bidMinDeposit: uakt ? { denom: uakt.denom, amount: uakt.amount.toString() } : undefined,
          orderMaxBids: params.orderMaxBids,
          bidMinDeposits: params.bidMinDeposits.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
        },
      };
    });
}
