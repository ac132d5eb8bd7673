import {
  bidKey,
  deploymentKey,
  type EscrowAccountRecord,
  orderKey,
  type PaymentRecord,
} from "../chain-state.js";
import {
  closeDeploymentRecord,
  DeploymentState,
  groupClosable,
  groupsOf,
  onCloseGroup,
} from "./deployment-keeper.js";
import { type EscrowContext, EscrowScope, EscrowState } from "./escrow-keeper.js";
import {
  BidState,
  GroupState,
  LeaseClosedReason,
  LeaseState,
  onBidClosed,
  onGroupClosed,
  onLeaseClosed,
  onOrderClosed,
} from "./market-keeper.js";

/** market hooks OnEscrowAccountClosed: a closed/overdrawn deployment account closes the deployment. */
export function onEscrowAccountClosed(ctx: EscrowContext, account: EscrowAccountRecord): void {
  if (account.scope !== EscrowScope.deployment) return;
  const slash = account.xid.lastIndexOf("/");
  const owner = account.xid.slice(0, slash);
  const dseq = BigInt(account.xid.slice(slash + 1));
  const deployment = ctx.state.deployments.get(deploymentKey(owner, dseq));
  if (!deployment || deployment.state !== DeploymentState.active) return;
  closeDeploymentRecord(ctx, deployment);
  const groupState =
    account.state === EscrowState.overdrawn ? GroupState.insufficientFunds : GroupState.closed;
  for (const group of groupsOf(ctx.state, owner, dseq)) {
    if (!groupClosable(group)) continue;
    onCloseGroup(ctx, group, groupState);
    onGroupClosed(ctx, group, groupState);
  }
}

/** market hooks OnEscrowPaymentClosed: a payment closed by the escrow module closes its lease. */
export function onEscrowPaymentClosed(ctx: EscrowContext, payment: PaymentRecord): void {
  if (payment.accountScope !== EscrowScope.deployment) return;
  const [gseqText, oseqText, provider] = payment.xid.split("/");
  const slash = payment.accountXid.lastIndexOf("/");
  const owner = payment.accountXid.slice(0, slash);
  const dseq = BigInt(payment.accountXid.slice(slash + 1));
  const gseq = Number(gseqText);
  const oseq = Number(oseqText);
  if (!provider) return;
  const bid = ctx.state.bids.get(bidKey(owner, dseq, gseq, oseq, provider, 0));
  if (!bid || bid.state !== BidState.active) return;
  const order = ctx.state.orders.get(orderKey(owner, dseq, gseq, oseq));
  const lease = ctx.state.leases.get(bidKey(owner, dseq, gseq, oseq, provider, 0));
  if (!order || !lease) return;
  onOrderClosed(ctx, order);
  onBidClosed(ctx, bid);
  if (payment.state === EscrowState.overdrawn) {
    onLeaseClosed(ctx, lease, LeaseState.insufficientFunds, LeaseClosedReason.insufficientFunds);
  } else {
    onLeaseClosed(ctx, lease, LeaseState.closed, LeaseClosedReason.unspecified);
  }
}
