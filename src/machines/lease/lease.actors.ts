import { actorContract } from "../shared/index.js";
import type {
  BidSummary,
  DeploymentRef,
  LeaseId,
  LeasePurpose,
  LeaseRef,
  LeaseResources,
} from "./lease.types.js";

/** Every effect the lease machine invokes, by name, with its input and output. Each input carries an idempotency key where the effect changes the chain. */

export interface GenerateSdlInput {
  key: string;
  agentId: string;
  resources: LeaseResources;
  purpose: LeasePurpose;
  /** The agent image for this deployment (an upgrade's); absent: the configured `agent.image`. */
  image?: string;
}
/** A fresh dseq (not yet on chain) and the manifest version of the SDL generated for it. */
export type GenerateSdlOutput = DeploymentRef;

export interface CreateDeploymentInput {
  key: string;
  deployment: DeploymentRef;
  depositUact: string;
  /**
   * Deployments the lease still holds (the serving one, the one being replaced). Any other
   * deployment the agent created and left open — e.g. one broadcast just before a crash whose
   * snapshot never recorded it — is an orphan the actor closes before creating a new one.
   */
  keepDseqs: string[];
}

/**
 * Before a rebid on the same deployment: a provider that closed its lease paused the group (no new
 * order opens); each paused group is started again (MsgStartGroup), which opens its next order.
 */
export interface StartPausedGroupsInput {
  /** Prefix of each start's idempotency key (the actor adds the group and the closed order). */
  key: string;
  dseq: string;
}

export interface CollectBidsInput {
  dseq: string;
  minBids: number;
  windowMs: number;
  excludedProviders: string[];
}
export interface CollectBidsOutput {
  bids: BidSummary[];
}

export interface EvaluateBidsInput {
  dseq: string;
  bids: BidSummary[];
  maxPriceUact: string;
  excludedProviders: string[];
}
export interface EvaluateBidsOutput {
  /** Acceptable bids, best first, each with its score. */
  ranked: BidSummary[];
  chosen: BidSummary | null;
  /** Why the provider directory (Console API) could not be read; the bids were then scored from chain data alone. */
  directoryUnavailable?: string;
}

export interface CreateLeaseInput {
  key: string;
  bid: BidSummary;
}

export interface ConfirmLeaseInput {
  lease: LeaseId;
}
export interface ConfirmLeaseOutput {
  hostUri: string;
}

export interface SendManifestInput {
  key: string;
  agentId: string;
  lease: LeaseId;
  hostUri: string;
  manifestVersion: string;
  resources: LeaseResources;
  /** The image the deployment was made with (absent: the configured `agent.image`). */
  image?: string;
}

export interface AwaitServicesInput {
  lease: LeaseId;
  hostUri: string;
}
export interface AwaitServicesOutput {
  uris: string[];
}

export interface PlanMigrationInput {
  lease: LeaseRef;
  reason: string;
}
export interface PlanMigrationOutput {
  /** `rebid`: the provider is gone, close its lease and rebid on the same dseq. `new_deployment`: make-before-break. */
  strategy: "rebid" | "new_deployment";
}

export interface CloseLeaseInput {
  key: string;
  lease: LeaseId;
  /** Why a deployment attempt on this lease failed, when that is why it closes (kept in the provider's history). */
  failedAttempt?: string;
}

export interface CloseDeploymentsInput {
  key: string;
  dseqs: string[];
  /** Their owner when it is not the agent's primary Akash key (the key before a rotation). */
  owner?: string;
}

export interface HandOverToNewLeaseInput {
  key: string;
  /** The new lease, ready: the instance there is the next leader. */
  lease: LeaseRef;
  /** The lease being replaced: closed by whoever leads once this is done. */
  previous: LeaseRef;
  /**
   * An upgrade's handover: the next instance runs `image`, and this one stands by for the rollback
   * window instead of handing over for good.
   */
  upgrade?: { image: string; rollbackWindowMs: number };
}

export interface RunCanaryInput {
  key: string;
  /** The new lease, ready, running the new image. */
  lease: LeaseRef;
  /** The serving lease (its relay is the one the canary syncs from). */
  previous: LeaseRef;
  image: string;
  /** How long the canary must pass its checks. */
  monitorMs: number;
}

export const leaseActorContracts = {
  generateSdl: actorContract<GenerateSdlOutput, GenerateSdlInput>("generateSdl"),
  createDeployment: actorContract<void, CreateDeploymentInput>("createDeployment"),
  startPausedGroups: actorContract<void, StartPausedGroupsInput>("startPausedGroups"),
  collectBids: actorContract<CollectBidsOutput, CollectBidsInput>("collectBids"),
  evaluateBids: actorContract<EvaluateBidsOutput, EvaluateBidsInput>("evaluateBids"),
  createLease: actorContract<void, CreateLeaseInput>("createLease"),
  confirmLease: actorContract<ConfirmLeaseOutput, ConfirmLeaseInput>("confirmLease"),
  sendManifest: actorContract<void, SendManifestInput>("sendManifest"),
  awaitServices: actorContract<AwaitServicesOutput, AwaitServicesInput>("awaitServices"),
  planMigration: actorContract<PlanMigrationOutput, PlanMigrationInput>("planMigration"),
  closeLease: actorContract<void, CloseLeaseInput>("closeLease"),
  closeDeployments: actorContract<void, CloseDeploymentsInput>("closeDeployments"),
  handOverToNewLease: actorContract<void, HandOverToNewLeaseInput>("handOverToNewLease"),
  runCanary: actorContract<void, RunCanaryInput>("runCanary"),
};
