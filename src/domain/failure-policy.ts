import { type BackoffOptions, exponentialBackoffMs } from "./backoff.js";
import { DecAmount } from "./dec-amount.js";
import { DomainInputError } from "./domain-input-error.js";
import type { ExhaustedResource, FailureEvent, RecoveryPlan } from "./failure-types.js";
import { requirePositiveInteger } from "./input-checks.js";
import { RESOURCE_LIMITS, type Resources, validateResources } from "./resources.js";

/**
 * The design notes' failure handling as a table: failure → recovery action, its parameters and
 * severity. Every failure type has its own case (the notes' `default:` sent provider_unresponsive,
 * lease_rejected, service_start_failed, dns_failure and certificate_expired to a generic "alert and
 * fail"); the switch is exhaustive, so a new type does not compile without one.
 */

export interface FailurePolicyOptions {
  /** Deployment attempts on different providers before escalating (config `bidding.maxAttempts`). */
  readonly maxDeploymentAttempts?: number;
  /** Reconnection attempts before migrating (the notes' 10). */
  readonly maxReconnectAttempts?: number;
  readonly backoff?: BackoffOptions;
}

export const DEFAULT_MAX_DEPLOYMENT_ATTEMPTS = 3;
export const DEFAULT_MAX_RECONNECT_ATTEMPTS = 10;
/** An emergency swap covers twice the shortfall (the notes' buffer). */
export const EMERGENCY_SWAP_FACTOR = 2;

const requireProvider = (provider: string) => {
  if (typeof provider !== "string" || provider === "") {
    throw DomainInputError.of("failure.provider", provider, "must be the provider's address");
  }
  return provider;
};

const uniqueSorted = (items: readonly string[]) => [...new Set(items)].sort();

/** The notes' scale-up step, or null when the resource is already at its limit. */
export function scaleUp(resources: Resources, resource: ExhaustedResource): Resources | null {
  const next = {
    memory: { ...resources, memoryGi: Math.min(RESOURCE_LIMITS.memoryGi.max, resources.memoryGi * 2) },
    disk: { ...resources, storageGi: Math.min(RESOURCE_LIMITS.storageGi.max, resources.storageGi + 100) },
    cpu: { ...resources, cpuUnits: Math.min(RESOURCE_LIMITS.cpuUnits.max, resources.cpuUnits + 2) },
  }[resource];
  const unchanged =
    next.memoryGi === resources.memoryGi &&
    next.storageGi === resources.storageGi &&
    next.cpuUnits === resources.cpuUnits;
  return unchanged ? null : next;
}

const EXHAUSTED: Record<"out_of_memory" | "out_of_disk" | "cpu_throttled", ExhaustedResource> = {
  out_of_memory: "memory",
  out_of_disk: "disk",
  cpu_throttled: "cpu",
};

/** What to do about a failure. Throws DomainInputError when the event lacks what its recovery needs. */
export function planRecovery(event: FailureEvent, options: FailurePolicyOptions = {}): RecoveryPlan {
  const maxDeploymentAttempts = requirePositiveInteger(
    "maxDeploymentAttempts",
    options.maxDeploymentAttempts ?? DEFAULT_MAX_DEPLOYMENT_ATTEMPTS,
  );
  const maxReconnectAttempts = requirePositiveInteger(
    "maxReconnectAttempts",
    options.maxReconnectAttempts ?? DEFAULT_MAX_RECONNECT_ATTEMPTS,
  );
  const failure = event?.type;

  switch (event?.type) {
    case "provider_offline":
    case "provider_degraded":
    case "certificate_expired": {
      const provider = requireProvider(event.provider);
      const why = {
        provider_offline: "the provider is offline",
        provider_degraded: "the provider is degraded",
        // We pin the provider's on-chain certificate; an expired one cannot be verified any more.
        certificate_expired: "the provider's certificate expired, so its gateway can no longer be verified",
      }[event.type];
      return {
        failure: event.type,
        severity: event.type === "provider_offline" ? "high" : "medium",
        action: { kind: "migrate", excludeProviders: [provider] },
        reason: `${why}: migrate to another provider`,
      };
    }

    case "provider_unresponsive":
    case "network_partition":
    case "dns_failure": {
      const provider = requireProvider(event.provider);
      const made = event.reconnectAttempts;
      if (typeof made !== "number" || !Number.isSafeInteger(made) || made < 0) {
        throw DomainInputError.of("failure.reconnectAttempts", made, "must be a whole number ≥ 0");
      }
      if (made >= maxReconnectAttempts) {
        return {
          failure: event.type,
          severity: "high",
          action: { kind: "migrate", excludeProviders: [provider] },
          reason: `still unreachable after ${made} reconnection attempts: migrate`,
        };
      }
      const attempt = made + 1;
      const delayMs = exponentialBackoffMs(attempt, options.backoff);
      return {
        failure: event.type,
        severity: "medium",
        action: { kind: "reconnect", attempt, delayMs },
        reason: `reconnect attempt ${attempt} of ${maxReconnectAttempts} in ${delayMs} ms`,
      };
    }

    case "lease_expired": {
      requireProvider(event.provider);
      if (typeof event.leaseActive !== "boolean") {
        throw DomainInputError.of("failure.leaseActive", event.leaseActive, "must be a boolean");
      }
      return event.leaseActive
        ? {
            failure: event.type,
            severity: "high",
            action: { kind: "top-up-escrow" },
            reason: "escrow is running out: renew by depositing into the deployment's escrow",
          }
        : {
            failure: event.type,
            severity: "high",
            action: { kind: "redeploy" },
            reason: "the lease closed when escrow ran dry, which also closed the deployment: deploy anew",
          };
    }

    case "lease_insufficient_funds": {
      const shortfall = DecAmount.parse("failure.shortfallUact", event.shortfallUact);
      return {
        failure: event.type,
        severity: "critical",
        action: {
          kind: "emergency-swap",
          from: "CRO",
          to: "AKT",
          coverUact: shortfall.timesInteger(EMERGENCY_SWAP_FACTOR).toString(),
          followedBy: "top-up-escrow",
        },
        reason: `escrow is short of ${shortfall} uact: emergency CRO→AKT swap for twice that, then top up`,
      };
    }

    case "lease_rejected":
    case "deployment_failed":
    case "deployment_timeout":
    case "service_start_failed": {
      const provider = requireProvider(event.provider);
      const attempt = requirePositiveInteger("failure.attempt", event.attempt);
      if (!Array.isArray(event.failedProviders)) {
        throw DomainInputError.of(
          "failure.failedProviders",
          event.failedProviders,
          "must be a list of addresses",
        );
      }
      if (attempt >= maxDeploymentAttempts) {
        return {
          failure: event.type,
          severity: "critical",
          action: { kind: "escalate", alert: "critical", markFailed: true },
          reason: `deployment failed ${attempt} time(s) on different providers: manual intervention required`,
        };
      }
      return {
        failure: event.type,
        severity: event.type === "lease_rejected" || event.type === "deployment_timeout" ? "medium" : "high",
        action: {
          kind: "retry-deployment",
          attempt: attempt + 1,
          excludeProviders: uniqueSorted([...event.failedProviders, provider]),
        },
        reason: `attempt ${attempt} of ${maxDeploymentAttempts} failed: retry on another provider`,
      };
    }

    case "out_of_memory":
    case "out_of_disk":
    case "cpu_throttled": {
      const resources = validateResources("failure.resources", event.resources);
      const resource = EXHAUSTED[event.type];
      const larger = scaleUp(resources, resource);
      if (larger !== null) {
        return {
          failure: event.type,
          severity: event.type === "cpu_throttled" ? "medium" : "high",
          action: { kind: "scale-up", resource, resources: larger },
          reason: `${resource} exhausted: redeploy larger (cpu ${larger.cpuUnits}, memory ${larger.memoryGi}Gi, storage ${larger.storageGi}Gi)`,
        };
      }
      if (resource === "disk") {
        return {
          failure: event.type,
          severity: "critical",
          action: { kind: "escalate", alert: "critical", markFailed: false },
          reason: `storage is at its ${RESOURCE_LIMITS.storageGi.max}Gi limit: data must be pruned or moved`,
        };
      }
      return {
        failure: event.type,
        severity: "high",
        action: { kind: "reproduce", trigger: "high_load" },
        reason: `${resource} exhausted at the largest size: share the load with a child`,
      };
    }

    default: {
      const unknown: never = event;
      throw DomainInputError.of("failure.type", failure ?? unknown, "must be one of the known failure types");
    }
  }
}
