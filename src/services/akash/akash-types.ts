/**
 * What the rest of the agent knows of Akash: plain data, with amounts as integer strings in the
 * smallest unit (uakt, uact) or decimal strings where the chain uses DecCoins (prices per block).
 * Nothing outside src/services/akash imports chain-sdk or cosmjs types.
 */

import type { BidderRecord, GroupBidRequirements } from "../../domain/index.js";

export type { BidderRecord, GroupBidRequirements };

export interface LeaseKey {
  dseq: string;
  gseq: number;
  oseq: number;
  provider: string;
}

export interface Balances {
  uakt: string;
  uact: string;
}

export type DeploymentState = "active" | "closed";

export interface DeploymentInfo {
  owner: string;
  dseq: string;
  state: DeploymentState;
  /** Hex of the on-chain manifest version (hash). */
  manifestVersion: string;
  createdAtHeight: number;
  escrow: EscrowInfo | null;
}

export interface EscrowInfo {
  /** What is left in the account, uact (decimal string; the chain keeps fractions). */
  balanceUact: string;
  /** Everything ever deposited, uact. */
  depositedUact: string;
  /** Height the account was last settled at. */
  settledAtHeight: number;
}

/**
 * Group states as this client reads them. A provider closing its lease pauses the group (no new
 * order) until the owner starts it again (MsgStartGroup); `unknown` is anything else.
 */
export type GroupState = "open" | "paused" | "insufficient_funds" | "closed" | "unknown";

/** One group of a deployment (the agent's SDL has one: gseq 1). */
export interface GroupInfo {
  dseq: string;
  gseq: number;
  state: GroupState;
  /** What its spec asks of a bidder (placement, signedBy, storage classes, GPUs). */
  requirements: GroupBidRequirements;
}

export type BidState = "open" | "active" | "lost" | "closed";

export interface BidInfo extends LeaseKey {
  state: BidState;
  /** Price per block, uact, as the chain's decimal string. */
  priceUact: string;
  createdAtHeight: number;
}

/** Lease states as this client reads them; `reclaiming` is newer than chain-sdk alpha.25 and `unknown` is anything else. */
export type LeaseState = "active" | "insufficient_funds" | "closed" | "reclaiming" | "unknown";

export interface LeaseInfo extends LeaseKey {
  state: LeaseState;
  priceUact: string;
  createdAtHeight: number;
  closedAtHeight: number | null;
}

export interface ProviderAttribute {
  key: string;
  value: string;
}

export interface ProviderInfo {
  owner: string;
  hostUri: string;
  attributes: ProviderAttribute[];
}

/** A provider as the chain knows it, each attribute with the auditor accounts that signed it. */
export interface AuditedProviderInfo extends ProviderInfo {
  attributes: Array<ProviderAttribute & { auditedBy: string[] }>;
}

/** Provider data in the Akash Console API's shape (`GET /v1/providers`), the fields reputation uses. */
export interface ConsoleProvider {
  owner: string;
  hostUri: string;
  isOnline: boolean;
  isAudited: boolean;
  uptime1d: number | null;
  uptime7d: number | null;
  uptime30d: number | null;
  attributes: Array<{ key: string; value: string; auditedBy: string[] }>;
}

/** What the provider says about a lease's services (GET /lease/{dseq}/{gseq}/{oseq}/status). */
export interface LeaseStatus {
  services: Array<{ name: string; total: number; ready: number; uris: string[] }>;
  forwardedPorts: Array<{ service: string; host: string; port: number; externalPort: number; proto: string }>;
}

export interface TxOutcome {
  txHash: string;
  height: number;
}
