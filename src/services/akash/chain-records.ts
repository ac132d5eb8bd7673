import type {
  AuditedProvider,
  Deployment,
  Types_Account as EscrowAccount,
  Lease,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import type { Group, GroupSpec, Provider } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import type { Bid } from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import { DecAmount } from "../../domain/index.js";
import type {
  BidderRecord,
  BidInfo,
  BidState,
  DeploymentInfo,
  EscrowInfo,
  GroupBidRequirements,
  GroupInfo,
  GroupState,
  LeaseInfo,
  LeaseKey,
  LeaseState,
  ProviderInfo,
} from "./akash-types.js";

/**
 * Chain-sdk's decoded records as the plain data of akash-types. 64-bit integers arrive as `Long`
 * (printed with toString), DecCoin amounts as decimal strings.
 */

type Int64 = { toString(): string };

const heightOf = (value: Int64 | undefined): number => Number(value?.toString() ?? "0");

/** Lease states by wire value; 4 (`reclaiming`, node HEAD) is unknown to chain-sdk alpha.25's enum. */
const LEASE_STATES: Readonly<Record<number, LeaseState>> = {
  1: "active",
  2: "insufficient_funds",
  3: "closed",
  4: "reclaiming",
};

export function leaseStateOf(value: number): LeaseState {
  return LEASE_STATES[value] ?? "unknown";
}

const BID_STATES: Readonly<Record<number, BidState>> = { 1: "open", 2: "active", 3: "lost", 4: "closed" };

export function bidStateOf(value: number): BidState | undefined {
  return BID_STATES[value];
}

/** Escrow `DecCoin`/`Balance` lists: the uact amount, "0" when absent. */
function uactOf(coins: readonly { denom: string; amount: string }[]): DecAmount {
  const coin = coins.find((c) => c.denom === "uact");
  return coin ? DecAmount.parse("uact", coin.amount) : DecAmount.ZERO;
}

/**
 * The uact the account's funds hold; an overdrawn account (the chain records its overdraft as negative
 * funds, e.g. "-15.57") holds nothing.
 */
function fundsUactOf(coins: readonly { denom: string; amount: string }[]): DecAmount {
  const coin = coins.find((c) => c.denom === "uact");
  if (coin && /^-\d+(\.\d+)?$/.test(coin.amount.trim())) return DecAmount.ZERO;
  return uactOf(coins);
}

export function escrowInfoOf(account: EscrowAccount | undefined): EscrowInfo | null {
  const state = account?.state;
  if (!state) return null;
  const balance = fundsUactOf(state.funds);
  // Everything deposited is what is left plus what was paid out (overdrawn: all of it was paid out).
  const deposited = balance.plus(uactOf(state.transferred));
  return {
    balanceUact: balance.toString(),
    depositedUact: deposited.toString(),
    settledAtHeight: heightOf(state.settledAt),
  };
}

export function deploymentInfoOf(
  deployment: Deployment,
  escrow: EscrowAccount | undefined,
): DeploymentInfo | null {
  if (!deployment.id) return null;
  return {
    owner: deployment.id.owner,
    dseq: deployment.id.dseq.toString(),
    state: deployment.state === 1 ? "active" : "closed",
    manifestVersion: Buffer.from(deployment.hash).toString("hex"),
    createdAtHeight: heightOf(deployment.createdAt),
    escrow: escrowInfoOf(escrow),
  };
}

const GROUP_STATES: Readonly<Record<number, GroupState>> = {
  1: "open",
  2: "paused",
  3: "insufficient_funds",
  4: "closed",
};

export function groupInfoOf(group: Group): GroupInfo | null {
  if (!group.id) return null;
  return {
    dseq: group.id.dseq.toString(),
    gseq: group.id.gseq,
    state: GROUP_STATES[group.state] ?? "unknown",
    requirements: groupRequirementsOf(group.groupSpec),
  };
}

const keyValues = (attributes: readonly { key: string; value: string }[]) =>
  attributes.map(({ key, value }) => ({ key, value }));

/** A ResourceValue's integer (the chain's decimal text as bytes); 0 when absent or not an integer. */
function resourceCount(value: { val: Uint8Array } | undefined): number {
  const text = value ? new TextDecoder().decode(value.val) : "";
  return /^\d+$/.test(text) ? Number(text) : 0;
}

/** What a group spec asks of a bidder: placement attributes, signedBy, storage and GPU attributes. */
export function groupRequirementsOf(spec: GroupSpec | undefined): GroupBidRequirements {
  const requirements = spec?.requirements;
  return {
    attributes: keyValues(requirements?.attributes ?? []),
    signedBy: {
      allOf: [...(requirements?.signedBy?.allOf ?? [])],
      anyOf: [...(requirements?.signedBy?.anyOf ?? [])],
    },
    resources: (spec?.resources ?? []).map((unit) => ({
      storage: (unit.resource?.storage ?? []).map((volume) => ({ attributes: keyValues(volume.attributes) })),
      gpu: {
        units: resourceCount(unit.resource?.gpu?.units),
        attributes: keyValues(unit.resource?.gpu?.attributes ?? []),
      },
    })),
  };
}

/** A registered provider with the attributes each auditor signed for it (the audit module's records). */
export function bidderRecordOf(provider: Provider, audits: readonly AuditedProvider[]): BidderRecord {
  return {
    owner: provider.owner,
    attributes: keyValues(provider.attributes),
    audits: audits
      .filter((audit) => audit.owner === provider.owner)
      .map((audit) => ({ auditor: audit.auditor, attributes: keyValues(audit.attributes) })),
  };
}

interface LeaseIdLike {
  dseq: Int64;
  gseq: number;
  oseq: number;
  provider: string;
}

export const leaseKeyOf = (id: LeaseIdLike): LeaseKey => ({
  dseq: id.dseq.toString(),
  gseq: id.gseq,
  oseq: id.oseq,
  provider: id.provider,
});

export function bidInfoOf(bid: Bid): BidInfo | null {
  const state = bidStateOf(bid.state);
  if (!bid.id || !state) return null;
  return {
    ...leaseKeyOf(bid.id),
    state,
    priceUact: bid.price?.amount ?? "0",
    createdAtHeight: heightOf(bid.createdAt),
  };
}

export function leaseInfoOf(lease: Lease): LeaseInfo | null {
  if (!lease.id) return null;
  const closedOn = heightOf(lease.closedOn);
  return {
    ...leaseKeyOf(lease.id),
    state: leaseStateOf(lease.state),
    priceUact: lease.price?.amount ?? "0",
    createdAtHeight: heightOf(lease.createdAt),
    closedAtHeight: closedOn > 0 ? closedOn : null,
  };
}

export function providerInfoOf(provider: Provider): ProviderInfo {
  return {
    owner: provider.owner,
    hostUri: provider.hostUri,
    attributes: provider.attributes.map((a) => ({ key: a.key, value: a.value })),
  };
}
