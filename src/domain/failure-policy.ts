import { type BackoffOptions, exponentialBackoffMs } from "./backoff.js";
import { DecAmount } from "./dec-amount.js";
import { DomainInputError } from "./domain-input-error.js";
import type { ExhaustedResource, FailureEvent, FundsNeed, RecoveryPlan } from "./failure-types.js";
import { requireNonNegativeInteger, requirePositiveInteger } from "./input-checks.js";
import { RESOURCE_LIMITS, type Resources, validateResources } from "./resources.js";

/**
 * The one recovery policy: failure → recovery action, its parameters and severity. The machines ask
 * it at every failure (the lease machine for the lease, the health monitor for reconnecting) and do
 * what the plan says; they keep no rules of their own. Every failure type has its own case (the
 * notes' `default:` sent provider_unresponsive, lease_rejected, service_start_failed, dns_failure and
 * certificate_expired to a generic "alert and fail"); the switch is exhaustive, so a new type does
 * not compile without one.
 *
 * Two departures from the notes, on purpose: a network partition (the chain unreachable) escalates
 * instead of migrating, because a move needs the chain and the agent must not act on stale reads;
 * and services that fail on a running lease are restarted in place once before the agent moves.
 */

export interface FailurePolicyOptions {
  /** Deployment attempts on different providers before escalating (config `bidding.maxAttempts`). */
  readonly maxDeploymentAttempts?: number;
  /** Reconnection attempts before migrating (the notes' 10). */
  readonly maxReconnectAttempts?: number;
  /** In-place restarts of failed services before migrating. */
  readonly maxServiceRestarts?: number;
  /** Emergency swaps waited for on one need before escalating. */
  readonly maxEmergencySwaps?: number;
  readonly backoff?: BackoffOptions;
}

export const DEFAULT_MAX_DEPLOYMENT_ATTEMPTS = 3;
export const DEFAULT_MAX_RECONNECT_ATTEMPTS = 10;
export const DEFAULT_MAX_SERVICE_RESTARTS = 1;
export const DEFAULT_MAX_EMERGENCY_SWAPS = 1;
/** An emergency swap covers twice the shortfall (the notes' buffer). */
export const EMERGENCY_SWAP_FACTOR = 2;

const requireProvider = (provider: string) => {
  if (typeof provider !== "string" || provider === "") {
    throw DomainInputError.of("failure.provider", provider, "must be the provider's address");
  }
  return provider;
};

/** The next reconnection attempt after `made` of them, with its backoff delay. */
const nextReconnect = (made: number, backoff: BackoffOptions | undefined) => {
  const attempt = made + 1;
  return { kind: "reconnect" as const, attempt, delayMs: exponentialBackoffMs(attempt, backoff) };
};

const requireNeed = (need: unknown): FundsNeed => {
  if (need !== "escrow_top_up" && need !== "deployment_deposit") {
    throw DomainInputError.of("failure.need", need, 'must be "escrow_top_up" or "deployment_deposit"');
  }
  return need;
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
  const maxServiceRestarts = requireNonNegativeInteger(
    "maxServiceRestarts",
    options.maxServiceRestarts ?? DEFAULT_MAX_SERVICE_RESTARTS,
  );
  const maxEmergencySwaps = requireNonNegativeInteger(
    "maxEmergencySwaps",
    options.maxEmergencySwaps ?? DEFAULT_MAX_EMERGENCY_SWAPS,
  );
  const failure = event?.type;

  switch (event?.type) {
    case "provider_offline":
    case "provider_degraded":
    case "certificate_expired":
    case "lease_reclaiming": {
      const provider = requireProvider(event.provider);
      const why = {
        provider_offline: "the provider is offline",
        provider_degraded: "the provider is degraded",
        // We pin the provider's on-chain certificate; an expired one cannot be verified any more.
        certificate_expired: "the provider's certificate expired, so its gateway can no longer be verified",
        lease_reclaiming: "the provider is reclaiming the lease",
      }[event.type];
      return {
        failure: event.type,
        severity: event.type === "provider_offline" || event.type === "lease_reclaiming" ? "high" : "medium",
        action: { kind: "migrate", excludeProviders: [provider] },
        reason: `${why}: migrate to another provider`,
      };
    }

    case "network_partition": {
      if (typeof event.endpoint !== "string" || event.endpoint === "") {
        throw DomainInputError.of("failure.endpoint", event.endpoint, "must name what cannot be reached");
      }
      const made = requireNonNegativeInteger("failure.reconnectAttempts", event.reconnectAttempts);
      if (made >= maxReconnectAttempts) {
        return {
          failure: event.type,
          severity: "critical",
          action: { kind: "escalate", alert: "critical", markFailed: false },
          reason: `${event.endpoint} still unreachable after ${made} attempts: nothing is decided on stale reads until it answers`,
        };
      }
      const action = nextReconnect(made, options.backoff);
      return {
        failure: event.type,
        severity: "medium",
        action,
        reason: `${event.endpoint} unreachable: reconnect attempt ${action.attempt} of ${maxReconnectAttempts} in ${action.delayMs} ms`,
      };
    }

    case "provider_unresponsive":
    case "dns_failure": {
      const provider = requireProvider(event.provider);
      const made = requireNonNegativeInteger("failure.reconnectAttempts", event.reconnectAttempts);
      if (made >= maxReconnectAttempts) {
        return {
          failure: event.type,
          severity: "high",
          action: { kind: "migrate", excludeProviders: [provider] },
          reason: `still unreachable after ${made} reconnection attempts: migrate`,
        };
      }
      const action = nextReconnect(made, options.backoff);
      return {
        failure: event.type,
        severity: "medium",
        action,
        reason: `reconnect attempt ${action.attempt} of ${maxReconnectAttempts} in ${action.delayMs} ms`,
      };
    }

    case "lease_expired": {
      const provider = requireProvider(event.provider);
      if (typeof event.leaseActive !== "boolean") {
        throw DomainInputError.of("failure.leaseActive", event.leaseActive, "must be a boolean");
      }
      if (event.leaseActive) {
        return {
          failure: event.type,
          severity: "high",
          action: { kind: "top-up-escrow" },
          reason: "escrow is running out: renew by depositing into the deployment's escrow",
        };
      }
      return event.deploymentOpen === true
        ? {
            failure: event.type,
            severity: "high",
            action: { kind: "rebid", excludeProviders: [provider] },
            reason:
              "the lease closed but its deployment is open: bid again on its next order elsewhere (a group its provider paused is started first)",
          }
        : {
            failure: event.type,
            severity: "critical",
            action: { kind: "redeploy" },
            reason: "the lease closed when escrow ran dry, which also closed the deployment: deploy anew",
          };
    }

    case "lease_insufficient_funds": {
      const shortfall = DecAmount.parse("failure.shortfallUact", event.shortfallUact);
      const need = requireNeed(event.need ?? "escrow_top_up");
      const tried = requireNonNegativeInteger("failure.emergencySwapsTried", event.emergencySwapsTried ?? 0);
      const what = need === "escrow_top_up" ? "escrow" : "the new deployment's deposit";
      if (tried >= maxEmergencySwaps) {
        return {
          failure: event.type,
          severity: "critical",
          action: { kind: "escalate", alert: "critical", markFailed: need === "deployment_deposit" },
          reason: `${what} is still short of ${shortfall} uact after ${tried} emergency swap(s): fund the agent's account`,
        };
      }
      return {
        failure: event.type,
        severity: "critical",
        action: {
          kind: "emergency-swap",
          from: "CRO",
          to: "AKT",
          coverUact: shortfall.timesInteger(EMERGENCY_SWAP_FACTOR).toString(),
          followedBy: need === "escrow_top_up" ? "top-up-escrow" : "deployment-deposit",
        },
        reason: `${what} is short of ${shortfall} uact: emergency CRO→AKT swap for twice that, then ${need === "escrow_top_up" ? "top up" : "ask for the deposit again"}`,
      };
    }

    case "funds_refused": {
      const need = requireNeed(event.need);
      const deposit = need === "deployment_deposit";
      return {
        failure: event.type,
        severity: deposit ? "critical" : "high",
        action: { kind: "escalate", alert: "critical", markFailed: deposit },
        reason: `the treasury refused ${deposit ? "the new deployment's deposit" : "the escrow top-up"} (${event.reason}): a swap cannot fix that`,
      };
    }

    case "services_failed": {
      const provider = requireProvider(event.provider);
      const made = requireNonNegativeInteger("failure.restartsMade", event.restartsMade);
      if (made < maxServiceRestarts) {
        return {
          failure: event.type,
          severity: "medium",
          action: { kind: "restart-services" },
          reason: `services stopped: restart ${made + 1} of ${maxServiceRestarts} in place`,
        };
      }
      return {
        failure: event.type,
        severity: "high",
        action: { kind: "migrate", excludeProviders: [provider] },
        reason: `services failed again after ${made} restart(s): migrate to another provider`,
      };
    }

    case "no_acceptable_bid":
      return {
        failure: event.type,
        severity: "critical",
        action: { kind: "escalate", alert: "critical", markFailed: true },
        reason: "no provider bid within the price limit: raise the limit or try later",
      };

    case "deployment_rejected":
      return {
        failure: event.type,
        severity: "critical",
        action: { kind: "escalate", alert: "critical", markFailed: true },
        reason: `the deployment cannot be made (${event.reason}): the same request would fail again`,
      };

    case "lease_rejected":
    case "deployment_failed":
    case "deployment_timeout":
    case "service_start_failed": {
      const provider = event.provider === null ? null : requireProvider(event.provider);
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
          excludeProviders: uniqueSorted(
            provider === null ? event.failedProviders : [...event.failedProviders, provider],
          ),
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
