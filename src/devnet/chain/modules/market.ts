import {
  MsgCloseBid,
  MsgCloseBidResponse,
  MsgCloseLease,
  MsgCloseLeaseResponse,
  MsgCreateBid,
  MsgCreateBidResponse,
  MsgCreateLease,
  MsgCreateLeaseResponse,
  MsgWithdrawLease,
  MsgWithdrawLeaseResponse,
  ResourceOffer,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import { isAkashAddress } from "../addresses.js";
import { MarketErrors, SdkErrors } from "../chain-errors.js";
import { type BidRecord, bidKey, groupKey, orderKey } from "../chain-state.js";
import { decFromString } from "../decimal.js";
import { defineHandler, partial } from "../msg-handler.js";
import { onBidClosedPauseGroup } from "./deployment-keeper.js";
import { parseDeposit } from "./deposit.js";
import {
  accountClose,
  accountCreate,
  authorizeDeposits,
  EscrowScope,
  paymentClose,
  paymentCreate,
  paymentWithdrawById,
} from "./escrow-keeper.js";
import { decodeGroupSpec, groupPrice } from "./group-spec.js";
import {
  BidState,
  bidEscrowXid,
  bidsForOrder,
  createLease,
  createOrder,
  deploymentEscrowXid,
  emitBidCreated,
  GroupState,
  LeaseClosedReason,
  LeaseState,
  leaseKey,
  leasePaymentXid,
  OrderState,
  onBidClosed,
  onLeaseClosed,
  onOrderClosed,
  setBidState,
  setOrderState,
} from "./market-keeper.js";
import { matchesPlacement, matchesResourceCapabilities } from "./placement-matching.js";

interface BidIdLike {
  owner: string;
  dseq: { toString(): string };
  gseq: number;
  oseq: number;
  provider: string;
  bseq: number;
}

function parseBidId(id: BidIdLike | undefined) {
  if (!id || !isAkashAddress(id.owner)) throw SdkErrors.invalidAddress.wrap("BidID: Invalid Owner Address");
  if (!isAkashAddress(id.provider)) throw SdkErrors.invalidAddress.wrap("BidID: Invalid Provider Address");
  const dseq = BigInt(id.dseq.toString());
  if (dseq === 0n) throw SdkErrors.invalidSequence.wrap("BidID: Invalid Deployment Sequence");
  if (id.gseq === 0) throw SdkErrors.invalidSequence.wrap("BidID: Invalid Group Sequence");
  if (id.oseq === 0) throw SdkErrors.invalidSequence.wrap("BidID: Invalid Order Sequence");
  return { owner: id.owner, dseq, gseq: id.gseq, oseq: id.oseq, provider: id.provider, bseq: id.bseq };
}

const KNOWN_REASONS = new Set<number>(Object.values(LeaseClosedReason));

export const marketHandlers = [
  defineHandler({
    codec: MsgCreateBid,
    responseCodec: MsgCreateBidResponse,
    module: "market",
    gas: 80_000,
    signer: (msg) => msg.id?.provider ?? "",
    validateBasic(msg) {
      const id = parseBidId(msg.id);
      if (id.owner === id.provider) throw MarketErrors.sameAccount();
      if (!msg.price?.denom) throw MarketErrors.bidInvalidPrice();
      parseDeposit(msg.deposit, false);
    },
    execute(ctx, msg) {
      const id = parseBidId(msg.id);
      const deposit = parseDeposit(msg.deposit, false);
      const { params } = ctx.state;
      const min = params.bidMinDeposits.find((c) => c.denom === deposit.denom);
      if (!min) throw MarketErrors.invalidDeposit.with(`unsupported denom ${deposit.denom}`);
      if (deposit.amount < min.amount) {
        throw MarketErrors.invalidDeposit.with(
          `minimum:${min.amount}${min.denom} received:${deposit.amount}${deposit.denom}`,
        );
      }
      const order = ctx.state.orders.get(orderKey(id.owner, id.dseq, id.gseq, id.oseq));
      if (order && bidsForOrder(ctx.state, order).length >= params.orderMaxBids) {
        throw MarketErrors.invalidBid.with(`too many existing bids (${params.orderMaxBids})`);
      }
      if (id.bseq !== 0) throw MarketErrors.invalidBid();
      if (!order) throw MarketErrors.orderNotFound();
      if (order.state === OrderState.active) throw MarketErrors.orderActive();
      if (order.state !== OrderState.open) throw MarketErrors.orderClosed();
      let price: bigint;
      try {
        price = decFromString(msg.price!.amount || "0");
      } catch {
        throw MarketErrors.bidInvalidPrice();
      }
      const spec = decodeGroupSpec(order.spec);
      const max = groupPrice(spec);
      if (price <= 0n || msg.price!.denom !== max.denom || price > max.amount)
        throw MarketErrors.bidInvalidPrice();
      if (msg.resourcesOffer.length > 0) {
        const matches = spec.resources.every((unit) =>
          msg.resourcesOffer.some((o) => o.count === unit.count && o.resources?.id === unit.resource?.id),
        );
        if (!matches) throw MarketErrors.capabilitiesMismatch();
      }
      const provider = ctx.state.providers.get(id.provider);
      if (!provider) throw MarketErrors.unknownProvider();
      const audits = [...ctx.state.audits.values()].filter((a) => a.owner === id.provider);
      if (!matchesPlacement(spec, provider.attributes, audits)) throw MarketErrors.attributeMismatch();
      if (!matchesResourceCapabilities(spec, provider.attributes)) throw MarketErrors.capabilitiesMismatch();
      const depositors = authorizeDeposits(ctx, id.provider, deposit, EscrowScope.bid);
      const key = bidKey(id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq);
      if (ctx.state.bids.has(key)) throw MarketErrors.bidExists();
      const bid: BidRecord = {
        ...id,
        state: BidState.open,
        price: { denom: msg.price!.denom, amount: price },
        createdAt: ctx.height,
        resourcesOffer: msg.resourcesOffer.map((o) => ResourceOffer.encode(o).finish()),
      };
      ctx.state.bids.set(key, bid);
      emitBidCreated(ctx, bid);
      accountCreate(ctx, EscrowScope.bid, bidEscrowXid(bid), id.provider, depositors);
      return partial(MsgCreateBidResponse, {});
    },
  }),
  defineHandler({
    codec: MsgCloseBid,
    responseCodec: MsgCloseBidResponse,
    module: "market",
    gas: 50_000,
    signer: (msg) => msg.id?.provider ?? "",
    validateBasic(msg) {
      parseBidId(msg.id);
      if (!KNOWN_REASONS.has(msg.reason) || msg.reason < 10000) throw MarketErrors.invalidLeaseClosedReason();
    },
    execute(ctx, msg) {
      const id = parseBidId(msg.id);
      const bid = ctx.state.bids.get(bidKey(id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq));
      if (!bid) throw MarketErrors.unknownBid();
      const order = ctx.state.orders.get(orderKey(id.owner, id.dseq, id.gseq, id.oseq));
      if (!order) throw MarketErrors.unknownOrderForBid();
      if (bid.state === BidState.open) {
        onBidClosed(ctx, bid);
        return partial(MsgCloseBidResponse, {});
      }
      const lease = ctx.state.leases.get(leaseKey(id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq));
      if (!lease) throw MarketErrors.unknownLeaseForBid();
      if (lease.state === LeaseState.reclaiming) {
        if (lease.reclaimDeadline !== undefined && ctx.time.getTime() / 1000 < lease.reclaimDeadline) {
          throw MarketErrors.leaseNotActive.wrap("reclamation window not elapsed");
        }
      } else if (lease.state !== LeaseState.active) {
        throw MarketErrors.leaseNotActive();
      }
      if (bid.state !== BidState.active) throw MarketErrors.bidNotActive();
      onBidClosedPauseGroup(ctx, id.owner, id.dseq, id.gseq);
      onLeaseClosed(ctx, lease, LeaseState.closed, msg.reason);
      onBidClosed(ctx, bid);
      onOrderClosed(ctx, order);
      try {
        paymentClose(
          ctx,
          EscrowScope.deployment,
          deploymentEscrowXid(id.owner, id.dseq),
          leasePaymentXid(lease),
        );
      } catch {
        // MsgCloseBid ignores the payment-close result, as the node does.
      }
      return partial(MsgCloseBidResponse, {});
    },
  }),
  defineHandler({
    codec: MsgCreateLease,
    responseCodec: MsgCreateLeaseResponse,
    module: "market",
    gas: 90_000,
    signer: (msg) => msg.bidId?.owner ?? "",
    validateBasic(msg) {
      parseBidId(msg.bidId);
    },
    execute(ctx, msg) {
      const id = parseBidId(msg.bidId);
      const bid = ctx.state.bids.get(bidKey(id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq));
      if (!bid) throw MarketErrors.bidNotFound();
      if (bid.state !== BidState.open) throw MarketErrors.bidNotOpen();
      const order = ctx.state.orders.get(orderKey(id.owner, id.dseq, id.gseq, id.oseq));
      if (!order) throw MarketErrors.orderNotFound();
      if (order.state !== OrderState.open) throw MarketErrors.orderNotOpen();
      const group = ctx.state.groups.get(groupKey(id.owner, id.dseq, id.gseq));
      if (!group) throw MarketErrors.groupNotFound();
      if (group.state !== GroupState.open) throw MarketErrors.groupNotOpen();
      paymentCreate(
        ctx,
        EscrowScope.deployment,
        deploymentEscrowXid(id.owner, id.dseq),
        leasePaymentXid(bid),
        id.provider,
        bid.price,
      );
      createLease(ctx, bid);
      setOrderState(ctx.state, order, OrderState.active);
      setBidState(ctx.state, bid, BidState.active);
      for (const other of bidsForOrder(ctx.state, order)) {
        if (other.state !== BidState.open) continue;
        setBidState(ctx.state, other, BidState.lost);
        try {
          accountClose(ctx, EscrowScope.bid, bidEscrowXid(other));
        } catch {
          // a losing bid's escrow account that cannot close stays as it is
        }
      }
      return partial(MsgCreateLeaseResponse, {});
    },
  }),
  defineHandler({
    codec: MsgCloseLease,
    responseCodec: MsgCloseLeaseResponse,
    module: "market",
    gas: 70_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic(msg) {
      parseBidId(msg.id);
    },
    execute(ctx, msg) {
      const id = parseBidId(msg.id);
      const order = ctx.state.orders.get(orderKey(id.owner, id.dseq, id.gseq, id.oseq));
      if (!order) throw MarketErrors.orderNotFound();
      if (order.state !== OrderState.active) throw MarketErrors.orderClosed();
      const bid = ctx.state.bids.get(bidKey(id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq));
      if (!bid) throw MarketErrors.bidNotFound();
      if (bid.state !== BidState.active) throw MarketErrors.bidNotActive();
      const lease = ctx.state.leases.get(leaseKey(id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq));
      if (!lease) throw MarketErrors.leaseNotFound();
      if (lease.state !== LeaseState.active && lease.state !== LeaseState.reclaiming)
        throw MarketErrors.orderClosed();
      onLeaseClosed(ctx, lease, LeaseState.closed, LeaseClosedReason.owner);
      onBidClosed(ctx, bid);
      onOrderClosed(ctx, order);
      paymentClose(
        ctx,
        EscrowScope.deployment,
        deploymentEscrowXid(id.owner, id.dseq),
        leasePaymentXid(lease),
      );
      const group = ctx.state.groups.get(groupKey(id.owner, id.dseq, id.gseq));
      if (group && group.state === GroupState.open) createOrder(ctx, group);
      return partial(MsgCloseLeaseResponse, {});
    },
  }),
  defineHandler({
    codec: MsgWithdrawLease,
    responseCodec: MsgWithdrawLeaseResponse,
    module: "market",
    gas: 40_000,
    signer: (msg) => msg.id?.provider ?? "",
    validateBasic(msg) {
      parseBidId(msg.id);
    },
    execute(ctx, msg) {
      const id = parseBidId(msg.id);
      const lease = ctx.state.leases.get(leaseKey(id.owner, id.dseq, id.gseq, id.oseq, id.provider, id.bseq));
      if (!lease) throw MarketErrors.unknownLease();
      paymentWithdrawById(
        ctx,
        EscrowScope.deployment,
        deploymentEscrowXid(id.owner, id.dseq),
        leasePaymentXid(lease),
      );
      return partial(MsgWithdrawLeaseResponse, {});
    },
  }),
];
