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
  /** The agent image its SDL runs (absent in snapshots from before upgrades: the configured `agent.image`). */
  image?: string;
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
   * The deployment's highest price per block (its `DeploymentRef.maxPriceUact`), so a rebid on it after
   * a move was abandoned takes the bids its group takes. Absent in snapshots from before it.
   */
  maxPriceUact?: string;
  /**
   * The deployment's owner: an Akash key rotation moves the agent into a deployment of the next key,
   * and the old one is closed with the old key. Absent in snapshots from before it: the primary key's.
   */
  owner?: string;
  /** The agent image its deployment runs (absent in snapshots from before upgrades). */
  image?: string;
}

/** `upgrade`: a make-before-break move into a deployment of another agent image (issue 18, DESIGN §12). */
export type LeasePurpose = "deploy" | "migrate" | "scale" | "upgrade";

/** Where an upgrade stands; `upgraded` and `rolled_back` are its ends. */
export const upgradeStates = [
  "deploying",
  "canary",
  "handing_over",
  "rollback_window",
  "upgraded",
  "rolled_back",
] as const;
export type UpgradeState = (typeof upgradeStates)[number];

/** An upgrade of the agent's image, as the lease keeps it (JSON data, shown in /api/status). */
export interface UpgradeProgress {
  /** The image the serving deployment runs. */
  from: string;
  /** The image asked for. */
  to: string;
  state: UpgradeState;
  /** Who asked: the operator (admin API) or a changed `agent.image` setting. */
  source: "admin" | "config";
  /** How long the canary must stay healthy before the handover. */
  monitorMs: number;
  /** How long the old instance stands by (and the old deployment stays) after the handover. */
  rollbackWindowMs: number;
  /** Why it was rolled back. */
  reason: string | null;
  /** Names this upgrade's incident (its alert), one per attempt (absent in snapshots from before it). */
  id?: string;
}

export function leaseKey(lease: LeaseId): string {
  return `${lease.dseq}/${lease.gseq}/${lease.oseq}/${lease.provider}`;
}
