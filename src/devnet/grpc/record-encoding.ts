import { ResourceOffer } from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import type {
  BidRecord,
  DecCoinValue,
  DeploymentRecord,
  EscrowAccountRecord,
  GroupRecord,
  LeaseRecord,
  OrderRecord,
  PaymentRecord,
  ProviderRecord,
} from "../chain/chain-state.js";
import { decToString } from "../chain/decimal.js";
import { decodeGroupSpec } from "../chain/modules/group-spec.js";

/** Chain records as chain-sdk message partials (the codecs scale LegacyDec strings on the wire). */
export const decCoin = (c: DecCoinValue) => ({ denom: c.denom, amount: decToString(c.amount) });

export const deploymentPartial = (d: DeploymentRecord) => ({
  id: { owner: d.owner, dseq: d.dseq.toString() },
  state: d.state,
  hash: d.hash,
  createdAt: d.createdAt.toString(),
});

export const groupPartial = (g: GroupRecord) => ({
  id: { owner: g.owner, dseq: g.dseq.toString(), gseq: g.gseq },
  state: g.state,
  groupSpec: decodeGroupSpec(g.spec),
  createdAt: g.createdAt.toString(),
});

export const escrowAccountPartial = (a: EscrowAccountRecord) => ({
  id: { scope: a.scope, xid: a.xid },
  state: {
    owner: a.owner,
    state: a.state,
    transferred: a.transferred.map(decCoin),
    settledAt: a.settledAt.toString(),
    funds: a.funds.map(decCoin),
    deposits: a.deposits.map((d) => ({
      owner: d.owner,
      height: d.height.toString(),
      source: d.source,
      balance: decCoin(d.balance),
    })),
  },
});

export const paymentPartial = (p: PaymentRecord) => ({
  id: { aid: { scope: p.accountScope, xid: p.accountXid }, xid: p.xid },
  state: {
    owner: p.owner,
    state: p.state,
    rate: decCoin(p.rate),
    balance: decCoin(p.balance),
    unsettled: decCoin(p.unsettled),
    withdrawn: { denom: p.withdrawn.denom, amount: p.withdrawn.amount.toString() },
  },
});

const orderId = (o: { owner: string; dseq: bigint; gseq: number; oseq: number }) => ({
  owner: o.owner,
  dseq: o.dseq.toString(),
  gseq: o.gseq,
  oseq: o.oseq,
});

export const orderPartial = (o: OrderRecord) => ({
  id: orderId(o),
  state: o.state,
  spec: decodeGroupSpec(o.spec),
  createdAt: o.createdAt.toString(),
});

export const bidIdPartial = (b: {
  owner: string;
  dseq: bigint;
  gseq: number;
  oseq: number;
  provider: string;
  bseq: number;
}) => ({
  ...orderId(b),
  provider: b.provider,
  bseq: b.bseq,
});

export const bidPartial = (b: BidRecord) => ({
  id: bidIdPartial(b),
  state: b.state,
  price: decCoin(b.price),
  createdAt: b.createdAt.toString(),
  resourcesOffer: b.resourcesOffer.map((bytes) => ResourceOffer.decode(bytes)),
});

export const leasePartial = (l: LeaseRecord) => ({
  id: bidIdPartial(l),
  state: l.state,
  price: decCoin(l.price),
  createdAt: l.createdAt.toString(),
  closedOn: l.closedOn.toString(),
  reason: l.reason,
});

export const providerPartial = (p: ProviderRecord) => ({
  owner: p.owner,
  hostUri: p.hostUri,
  attributes: p.attributes.map((a) => ({ ...a })),
  info: { email: p.email, website: p.website },
});
