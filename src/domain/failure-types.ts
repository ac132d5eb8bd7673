import type { DecimalInput } from "./dec-amount.js";
import type { Resources } from "./resources.js";

/**
 * Every failure the agent recovers from: the design notes' fifteen categories, then the ones the
 * lease lifecycle on Akash meets that the notes had no name for (a provider reclaiming the lease,
 * running services failing, no acceptable bid, the treasury refusing funds, the chain refusing the
 * deployment itself).
 */
export const FAILURE_TYPES = [
  "provider_offline",
  "provider_degraded",
  "provider_unresponsive",
  "lease_expired",
  "lease_rejected",
  "lease_insufficient_funds",
  "deployment_failed",
  "deployment_timeout",
  "service_start_failed",
  "network_partition",
  "dns_failure",
  "certificate_expired",
  "out_of_memory",
  "out_of_disk",
  "cpu_throttled",
  "lease_reclaiming",
  "services_failed",
  "no_acceptable_bid",
  "funds_refused",
  "deployment_rejected",
] as const;
export type FailureType = (typeof FAILURE_TYPES)[number];

export type Severity = "low" | "medium" | "high" | "critical";

/** What the agent asked the treasury for: escrow for a running lease, or a new deployment's deposit. */
export type FundsNeed = "escrow_top_up" | "deployment_deposit";

/** A failure with the facts its recovery needs; each group of types carries its own. */
export type FailureEvent =
  | {
      readonly type: "provider_offline" | "provider_degraded" | "certificate_expired" | "lease_reclaiming";
      readonly provider: string;
    }
  | {
      readonly type: "provider_unresponsive" | "dns_failure";
      readonly provider: string;
      /** Reconnection attempts already made for this outage (0 on first detection). */
      readonly reconnectAttempts: number;
    }
  | {
      /** The agent cannot reach the chain: nothing it reads now is current. */
      readonly type: "network_partition";
      /** What cannot be reached (e.g. "akash"), for the alert. */
      readonly endpoint: string;
      readonly reconnectAttempts: number;
    }
  | {
      readonly type: "lease_expired";
      readonly provider: string;
      /** Whether the lease is still active on chain (escrow low) or already closed. */
      readonly leaseActive: boolean;
      /** For a closed lease: whether its deployment is still open, so it can be bid on again. */
      readonly deploymentOpen?: boolean;
    }
  | {
      readonly type: "lease_insufficient_funds";
      /** uact missing. */
      readonly shortfallUact: DecimalInput;
      /** What the funds were for; escrow top-up when absent. */
      readonly need?: FundsNeed;
      /** Emergency swaps already waited for on this need (0 on the first refusal). */
      readonly emergencySwapsTried?: number;
    }
  | {
      readonly type: "lease_rejected" | "deployment_failed" | "deployment_timeout" | "service_start_failed";
      /** The provider of the failed attempt; null when the attempt failed before one was chosen. */
      readonly provider: string | null;
      /** The attempt that just failed, from 1. */
      readonly attempt: number;
      /** Providers that failed the earlier attempts. */
      readonly failedProviders: readonly string[];
    }
  | { readonly type: "out_of_memory" | "out_of_disk" | "cpu_throttled"; readonly resources: Resources }
  | {
      /** The services of an active lease stopped being ready. */
      readonly type: "services_failed";
      readonly provider: string;
      /** In-place restarts already tried for this outage. */
      readonly restartsMade: number;
    }
  | {
      /** No provider bid, or every bid was too expensive or from an excluded provider. */
      readonly type: "no_acceptable_bid";
    }
  | {
      /** The treasury refused for a reason a swap cannot fix: a spend cap, or a payment that failed. */
      readonly type: "funds_refused";
      readonly need: FundsNeed;
      readonly reason: string;
    }
  | {
      /** The chain refused the deployment, or its SDL could not be made: the same request fails again. */
      readonly type: "deployment_rejected";
      readonly reason: string;
    };

export type ExhaustedResource = "memory" | "disk" | "cpu";

export type RecoveryAction =
  /** Close the lease and take the order to another provider. */
  | { readonly kind: "migrate"; readonly excludeProviders: readonly string[] }
  /** "Renew" on Akash: deposit into the deployment's escrow. */
  | { readonly kind: "top-up-escrow" }
  /**
   * The lease closed but its deployment is open: bid again on the deployment's next order, elsewhere
   * (a group its provider paused by closing the lease is started again first, MsgStartGroup).
   */
  | { readonly kind: "rebid"; readonly excludeProviders: readonly string[] }
  /** The deployment is closed: create a new one. */
  | { readonly kind: "redeploy" }
  /** Swap CRO → AKT to cover `coverUact` (2× the shortfall), then ask for the funds again. */
  | {
      readonly kind: "emergency-swap";
      readonly from: "CRO";
      readonly to: "AKT";
      readonly coverUact: string;
      readonly followedBy: "top-up-escrow" | "deployment-deposit";
    }
  /** Send the manifest again to the same provider and wait for the services. */
  | { readonly kind: "restart-services" }
  /** Deploy again, on a provider not in `excludeProviders`. */
  | {
      readonly kind: "retry-deployment";
      readonly attempt: number;
      readonly excludeProviders: readonly string[];
    }
  /** Wait `delayMs`, then check the connection again. */
  | { readonly kind: "reconnect"; readonly attempt: number; readonly delayMs: number }
  /** A new deployment with the larger size (resources cannot change in place on Akash). */
  | { readonly kind: "scale-up"; readonly resource: ExhaustedResource; readonly resources: Resources }
  /** Already at the largest size: ask for a child to share the load. */
  | { readonly kind: "reproduce"; readonly trigger: "high_load" }
  /** Nothing automatic is left: critical alert; `markFailed` puts the lease in its failed state. */
  | { readonly kind: "escalate"; readonly alert: "critical"; readonly markFailed: boolean };

export interface RecoveryPlan {
  readonly failure: FailureType;
  readonly severity: Severity;
  readonly action: RecoveryAction;
  /** One line for the alert and the journal. */
  readonly reason: string;
}
