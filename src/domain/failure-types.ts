import type { DecimalInput } from "./dec-amount.js";
import type { Resources } from "./resources.js";

/** The design notes' failure categories. */
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
] as const;
export type FailureType = (typeof FAILURE_TYPES)[number];

export type Severity = "low" | "medium" | "high" | "critical";

/** A failure with the facts its recovery needs; each group of types carries its own. */
export type FailureEvent =
  | {
      readonly type: "provider_offline" | "provider_degraded" | "certificate_expired";
      readonly provider: string;
    }
  | {
      readonly type: "provider_unresponsive" | "network_partition" | "dns_failure";
      readonly provider: string;
      /** Reconnection attempts already made for this outage (0 on first detection). */
      readonly reconnectAttempts: number;
    }
  | {
      readonly type: "lease_expired";
      readonly provider: string;
      /** Whether the lease is still active on chain (escrow low) or already closed. */
      readonly leaseActive: boolean;
    }
  | {
      readonly type: "lease_insufficient_funds";
      /** uact missing from escrow. */
      readonly shortfallUact: DecimalInput;
    }
  | {
      readonly type: "lease_rejected" | "deployment_failed" | "deployment_timeout" | "service_start_failed";
      readonly provider: string;
      /** The attempt that just failed, from 1. */
      readonly attempt: number;
      /** Providers that failed the earlier attempts. */
      readonly failedProviders: readonly string[];
    }
  | { readonly type: "out_of_memory" | "out_of_disk" | "cpu_throttled"; readonly resources: Resources };

export type ExhaustedResource = "memory" | "disk" | "cpu";

export type RecoveryAction =
  /** Close the lease and take the order to another provider. */
  | { readonly kind: "migrate"; readonly excludeProviders: readonly string[] }
  /** "Renew" on Akash: deposit into the deployment's escrow. */
  | { readonly kind: "top-up-escrow" }
  /** The deployment is closed: create a new one. */
  | { readonly kind: "redeploy" }
  /** Swap CRO → AKT to cover `coverUact` (2× the shortfall), then top the escrow up. */
  | {
      readonly kind: "emergency-swap";
      readonly from: "CRO";
      readonly to: "AKT";
      readonly coverUact: string;
      readonly followedBy: "top-up-escrow";
    }
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
