import type { ExhaustedResource, Resources } from "../../domain/index.js";

/** Compute asked of a deployment's agent service (the SDL's other services are fixed). */
export type LeaseResources = Resources;
export type { ExhaustedResource };

/** A deployment the agent created (or is creating) on chain. `dseq` is its idempotency key. */
export interface DeploymentRef {
  dseq: string;
  /** Hex SHA-256 of the sorted manifest JSON, as stored on chain. */
  manifestVersion: string;
  resources: LeaseResources;
  /** Highest price per block the deployment's group accepts, in uact. */
  maxPriceUact: string;
  /** The `akash1…` account that owns it (absent in snapshots from before Akash key rotation). */
  owner?: string;
}

export interface LeaseId {
  dseq: string;
  gseq: number;
  oseq: number;
  provider: string;
}

/** A bid as the lease keeps it: enough to accept it and to show why it was chosen. */
export interface BidSummary extends LeaseId {
  priceUact: string;
  score?: number;
  region?: string;
}

/** A lease the agent holds, with what it learned from the provider. */
export interface LeaseRef extends LeaseId {
  priceUact: string;
  hostUri: string | null;
  uris: string[];
  /** The deployment's manifest version, needed to drain or compare. */
  manifestVersion: string;
  resources: LeaseResources;
  /**
   * The deployment's owner: an Akash key rotation moves the agent into a deployment of the next key,
   * and the old one is closed with the old key. Absent in snapshots from before it: the primary key's.
   */
  owner?: string;
}

export type LeasePurpose = "deploy" | "migrate" | "scale";

export function leaseKey(lease: LeaseId): string {
  return `${lease.dseq}/${lease.gseq}/${lease.oseq}/${lease.provider}`;
}
