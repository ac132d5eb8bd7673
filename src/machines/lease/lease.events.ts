import type { AlertNotice, FundsAnswer, FundsRequest } from "../shared/index.js";
import type { ExhaustedResource, LeaseRef, LeaseResources } from "./lease.types.js";

export type { FundsRequest };

/** Events the lease machine accepts. */
export type LeaseEvent =
  | { type: "LEASE.DEPLOY"; resources?: LeaseResources }
  | { type: "LEASE.RETRY" }
  | { type: "LEASE.SHUTDOWN" }
  /**
   * Move into a deployment owned by `owner` (an Akash key rotation made it the agent's primary key);
   * the lease serving now is `fromOwner`'s. Answered with LEASE.ACTIVE when the lease is `owner`'s already.
   */
  | { type: "LEASE.MIGRATE"; owner: string; fromOwner: string; reason: string }
  /**
   * Move into a deployment of agent image `image` (issue 18): a canary first, then a handover with the
   * old instance standing by. `currentImage` names the serving image when the lease does not record it.
   */
  | {
      type: "LEASE.UPGRADE";
      image: string;
      currentImage: string;
      source: "admin" | "config";
      monitorMs: number;
      rollbackWindowMs: number;
    }
  /** `observedAt`: when the escrow was read; a read from before the last top-up is stale and ignored. */
  | { type: "LEASE.ESCROW_LOW"; runwayHours: number; observedAt: number }
  | { type: "LEASE.RECLAIMING"; provider: string; deadline: number | null }
  | { type: "LEASE.CLOSED"; reason: string; deploymentOpen: boolean }
  | { type: "HEALTH.PASSED"; at: number; escrowRunwayHours: number | null }
  | { type: "HEALTH.SERVICES_FAILED"; reason: string }
  | { type: "HEALTH.PROVIDER_DEGRADED"; provider: string; reason: string }
  | { type: "HEALTH.PROVIDER_OFFLINE"; provider: string }
  /** The provider's on-chain certificate (the one its gateway is pinned to) has expired. */
  | { type: "HEALTH.CERTIFICATE_EXPIRED"; provider: string }
  /** The services' ingress hosts did not resolve for `failedChecks` checks in a row. */
  | { type: "HEALTH.INGRESS_UNREACHABLE"; provider: string; failedChecks: number; reason: string }
  | { type: "HEALTH.RESOURCES_EXHAUSTED"; resource: ExhaustedResource; usagePercent: number }
  /** The treasury's emergency swap brought AKT to the account: a move waiting for funds may go on. */
  | { type: "TREASURY.SWAPPED"; receivedUakt: string }
  | FundsAnswer;

/** Events the lease machine sends to its parent (the agent routes them). */
export type LeaseNotice =
  | { type: "LEASE.ACTIVE"; lease: LeaseRef }
  | { type: "LEASE.DRAINED"; dseq: string }
  /** An upgrade ended: on the new image, or back on the old one with the reason. */
  | {
      type: "LEASE.UPGRADE_ENDED";
      from: string;
      to: string;
      state: "upgraded" | "rolled_back";
      reason: string | null;
    }
  | { type: "LEASE.FAILED"; reason: string; attempts: number }
  | { type: "LEASE.TERMINATED"; dseq: string | null }
  | { type: "LEASE.SCALE_CAPPED"; resource: ExhaustedResource }
  | ({ type: "TREASURY.FUNDS_REQUESTED" } & FundsRequest)
  | AlertNotice;
