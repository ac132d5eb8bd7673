import {
  EventBidClosed,
  EventBidCreated,
  EventLeaseClosed,
  EventLeaseCreated,
  EventOrderClosed,
  EventOrderCreated,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  type BidRecord,
  bidKey,
  type ChainState,
  type LeaseRecord,
  type OrderRecord,
  orderKey,
} from "../chain-state.js";
import { decToString } from "../decimal.js";
import { accountClose, type EscrowContext, EscrowScope, paymentClose } from "./escrow-keeper.js";

/** akash.market.v1beta5.Order.State */
export const OrderState = { open: 1, active: 2, closed: 3 } as const;
/** akash.market.v1beta5.Bid.State */
export const BidState = { open: 1, active: 2, lost: 3, closed: 4 } as const;
/** akash.market.v1.Lease.State; `reclaiming` (4) is node HEAD's, unknown to chain-sdk alpha.25. */
export const LeaseState = { active: 1, insufficientFunds: 2, closed: 3, reclaiming: 4 } as const;
/** akash.market.v1.LeaseClosedReason */
export const LeaseClosedReason = {
  owner: 1,
  unstable: 10000,
  decommission: 10001,
  unspecified: 10002,
  manifestTimeout: 10003,
  insufficientFunds: 20000,
} as const;
/** akash.deployment.v1beta4.Group.State */
export const GroupState = { open: 1, paused: 2, insufficientFunds: 3, closed: 4 } as const;

export const orderIdJson = (o: { owner: string; dseq: bigint; gseq: number; oseq: number }) => ({
  owner: o.owner,
  dseq: o.dseq.toString(),
  gseq: o.gseq,
  oseq: o.oseq,
});
export const bidIdJson = (b: {
  owner: string;
  dseq: bigint;
  gseq: number;
  oseq: number;
  provider: string;
  bseq: number;
}) => ({
  ...orderIdJson(b),
  provider: b.provider,
  bseq: b.bseq,
});

export const bidEscrowXid = (b: {
  owner: string;
  dseq: bigint;
  gseq: number;
  oseq: number;
  provider: string;
}) => `${b.owner}/${b.dseq}/${b.gseq}/${b.oseq}/${b.provider}`;
export const deploymentEscrowXid = (owner: string, dseq: bigint) => `${owner}/${dseq}`;
export const leasePaymentXid = (l: { gseq: number; oseq: number; provider: string }) =>
  `${l.gseq}/${l.oseq}/${l.provider}`;

export const leaseKey = bidKey;

export function createOrder(
  ctx: EscrowContext,
  group: { owner: string; dseq: bigint; gseq: number; spec: Uint8Array },
): OrderRecord {
  let oseq = 1;
  for (const order of ctx.state.orders.values()) {
    if (order.owner !== group.owner || order.dseq !== group.dseq || order.gseq !== group.gseq) continue;
    if (order.state === OrderState.closed) oseq += 1;
  }
  const order: OrderRecord = {
    owner: group.owner,
    dseq: group.dseq,
    gseq: group.gseq,
    oseq,
    state: OrderState.open,
    spec: group.spec,
    createdAt: ctx.height,
  };
  ctx.state.orders.set(orderKey(order.owner, order.dseq, order.gseq, order.oseq), order);
  ctx.events?.emitTyped(EventOrderCreated, EventOrderCreated.fromPartial({ id: orderIdJson(order) }));
  return order;
}

export function ordersForGroup(state: ChainState, owner: string, dseq: bigint, gseq: number): OrderRecord[] {
  return [...state.orders.values()].filter((o) => o.owner === owner && o.dseq === dseq && o.gseq === gseq);
}

export function bidsForOrder(state: ChainState, order: OrderRecord): BidRecord[] {
  return [...state.bids.values()].filter(
    (b) => b.owner === order.owner && b.dseq === order.dseq && b.gseq === order.gseq && b.oseq === order.oseq,
  );
}

export function setOrderState(state: ChainState, order: OrderRecord, next: number): OrderRecord {
  const updated = { ...order, state: next };
  state.orders.set(orderKey(order.owner, order.dseq, order.gseq, order.oseq), updated);
  return updated;
}

export function setBidState(state: ChainState, bid: BidRecord, next: number): BidRecord {
  const updated = { ...bid, state: next };
  state.bids.set(bidKey(bid.owner, bid.dseq, bid.gseq, bid.oseq, bid.provider, bid.bseq), updated);
  return updated;
}

export function emitBidCreated(ctx: EscrowContext, bid: BidRecord): void {
  ctx.events?.emitTyped(
    EventBidCreated,
    EventBidCreated.fromPartial({
      id: bidIdJson(bid),
      price: { denom: bid.price.denom, amount: decToString(bid.price.amount) },
    }),
  );
}

export function createLease(ctx: EscrowContext, bid: BidRecord): LeaseRecord {
  const lease: LeaseRecord = {
    owner: bid.owner,
    dseq: bid.dseq,
    gseq: bid.gseq,
    oseq: bid.oseq,
    provider: bid.provider,
    bseq: bid.bseq,
    state: LeaseState.active,
    price: bid.price,
    createdAt: ctx.height,
    closedOn: 0n,
    reason: 0,
  };
  ctx.state.leases.set(
    leaseKey(lease.owner, lease.dseq, lease.gseq, lease.oseq, lease.provider, lease.bseq),
    lease,
  );
  ctx.events?.emitTyped(
    EventLeaseCreated,
    EventLeaseCreated.fromPartial({
      id: bidIdJson(lease),
      price: { denom: lease.price.denom, amount: decToString(lease.price.amount) },
    }),
  );
  return lease;
}

/** market keeper OnBidClosed: the bid closes and its escrow account (the provider's deposit) is refunded. */
export function onBidClosed(ctx: EscrowContext, bid: BidRecord): void {
  if (bid.state === BidState.closed || bid.state === BidState.lost) return;
  setBidState(ctx.state, bid, BidState.closed);
  try {
    accountClose(ctx, EscrowScope.bid, bidEscrowXid(bid));
  } catch {
    // The keeper ignores a failure to close the bid's escrow account.
  }
  ctx.events?.emitTyped(EventBidClosed, EventBidClosed.fromPartial({ id: bidIdJson(bid) }));
}

export function onOrderClosed(ctx: EscrowContext, order: OrderRecord): void {
  if (order.state === OrderState.closed) return;
  setOrderState(ctx.state, order, OrderState.closed);
  ctx.events?.emitTyped(EventOrderClosed, EventOrderClosed.fromPartial({ id: orderIdJson(order) }));
}

export function onLeaseClosed(ctx: EscrowContext, lease: LeaseRecord, state: number, reason: number): void {
  if (lease.state === LeaseState.closed || lease.state === LeaseState.insufficientFunds) return;
  const { reclaimDeadline: _ignored, ...rest } = lease;
  const updated: LeaseRecord = { ...rest, state, closedOn: ctx.height, reason };
  ctx.state.leases.set(
    leaseKey(lease.owner, lease.dseq, lease.gseq, lease.oseq, lease.provider, lease.bseq),
    updated,
  );
  ctx.events?.emitTyped(EventLeaseClosed, EventLeaseClosed.fromPartial({ id: bidIdJson(lease), reason }));
}

export function leaseForBid(state: ChainState, bid: BidRecord): LeaseRecord | undefined {
  return state.leases.get(leaseKey(bid.owner, bid.dseq, bid.gseq, bid.oseq, bid.provider, bid.bseq));
}

/** market keeper OnGroupClosed: closes the group's orders, their bids, and their leases (with escrow payments). */
export function onGroupClosed(
  ctx: EscrowContext,
  group: { owner: string; dseq: bigint; gseq: number },
  groupState: number,
): void {
  const insufficient = groupState === GroupState.insufficientFunds;
  const leaseState = insufficient ? LeaseState.insufficientFunds : LeaseState.closed;
  const reason = insufficient ? LeaseClosedReason.insufficientFunds : LeaseClosedReason.owner;
  for (const order of ordersForGroup(ctx.state, group.owner, group.dseq, group.gseq)) {
    if (order.state !== OrderState.open && order.state !== OrderState.active) continue;
    onOrderClosed(ctx, order);
    const bidStates: number[] = [BidState.open];
    if (order.state === OrderState.active) bidStates.push(BidState.active);
    for (const bid of bidsForOrder(ctx.state, order)) {
      if (!bidStates.includes(bid.state)) continue;
      onBidClosed(
        ctx,
        ctx.state.bids.get(bidKey(bid.owner, bid.dseq, bid.gseq, bid.oseq, bid.provider, bid.bseq))!,
      );
      const lease = leaseForBid(ctx.state, bid);
      if (!lease) continue;
      onLeaseClosed(ctx, lease, leaseState, reason);
      try {
        paymentClose(
          ctx,
          EscrowScope.deployment,
          deploymentEscrowXid(lease.owner, lease.dseq),
          leasePaymentXid(lease),
        );
      } catch {
        // As on chain: an error closing the payment is logged, not returned.
      }
    }
  }
}
