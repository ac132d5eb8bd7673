import type { AlertNotice } from "../shared/index.js";
import type { HealthTarget } from "./health.types.js";

export type HealthEvent =
  | { type: "HEALTH.WATCH"; target: HealthTarget }
  | { type: "HEALTH.UNWATCH" }
  | { type: "HEALTH.CHECK_NOW" }
  /**
   * Forget what was reported about the watched lease and check now: whatever still holds is reported
   * again. For a host whose restored state carries reports that another process received (a take-back
   * of a lost leader's backup), so a condition that process never acted on is not swallowed.
   */
  | { type: "HEALTH.REASSESS" };

/** What the monitor tells its parent; the agent routes lease events to the lease and wallet events to the treasury. */
export type HealthNotice =
  | { type: "HEALTH.PASSED"; at: number; escrowRunwayHours: number | null }
  | { type: "HEALTH.SERVICES_FAILED"; reason: string }
  | { type: "HEALTH.PROVIDER_DEGRADED"; provider: string; reason: string }
  | { type: "HEALTH.PROVIDER_OFFLINE"; provider: string }
  | { type: "HEALTH.CERTIFICATE_EXPIRED"; provider: string }
  | { type: "HEALTH.INGRESS_UNREACHABLE"; provider: string; failedChecks: number; reason: string }
  | { type: "HEALTH.RESOURCES_EXHAUSTED"; resource: "memory" | "disk" | "cpu"; usagePercent: number }
  | { type: "LEASE.ESCROW_LOW"; runwayHours: number; observedAt: number }
  | { type: "LEASE.RECLAIMING"; provider: string; deadline: number | null }
  | { type: "LEASE.CLOSED"; reason: string; deploymentOpen: boolean }
  | { type: "TREASURY.WALLET_LOW"; runwayDays: number }
  | AlertNotice;
