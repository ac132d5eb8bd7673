/** The lease the health monitor watches. */
export interface HealthTarget {
  dseq: string;
  gseq: number;
  oseq: number;
  provider: string;
  hostUri: string | null;
  /** Service URLs whose health endpoints are probed. */
  uris: string[];
}

/** What the health monitor watches of a lease that became active (the fields of a LeaseRef it needs). */
export function healthTargetOf(lease: HealthTarget): HealthTarget {
  const { dseq, gseq, oseq, provider, hostUri, uris } = lease;
  return { dseq, gseq, oseq, provider, hostUri, uris };
}

/** Lease state as the chain reports it; anything newer than the client knows is `unknown`. */
export type ObservedLeaseState = "active" | "closed" | "insufficient_funds" | "reclaiming" | "unknown";

/**
 * One health check's findings. `at` is when its reads began (ms since the epoch): everything in it
 * is at least that recent, and a deposit made after `at` may be missing from it.
 */
export interface HealthReport {
  at: number;
  provider: {
    /** The provider answered at all. */
    reachable: boolean;
    /** It answered promptly and without errors. */
    responsive: boolean;
    /** Its on-chain certificate (what its gateway is pinned to) has expired; absent: not known. */
    certificateExpired?: boolean;
  };
  /** The services' ingress hosts that did not resolve in DNS; absent or null: not checked. */
  ingress?: { unresolved: string[] } | null;
  lease: {
    state: ObservedLeaseState;
    reclaimDeadline: number | null;
    deploymentOpen: boolean;
  };
  services: { ready: number; total: number };
  usage: { memoryPercent: number; diskPercent: number; cpuPercent: number } | null;
  escrowRunwayHours: number | null;
  walletRunwayDays: number | null;
}

export interface HealthThresholds {
  memoryPercent: number;
  diskPercent: number;
  cpuPercent: number;
  escrowRunwayHours: number;
  walletRunwayDays: number;
}

export interface HealthSettings {
  intervalMs: number;
  /** Consecutive failed checks before a provider is called degraded/offline or services failed. */
  failuresBeforeAlarm: number;
  thresholds: HealthThresholds;
}

/** What the monitor remembers between checks (hysteresis). */
export interface HealthTrack {
  unreachable: number;
  unresponsive: number;
  servicesDown: number;
  /** Consecutive checks with an ingress host that did not resolve (absent in older snapshots). */
  ingressDown?: number;
  overThreshold: { memory: number; disk: number; cpu: number };
  /** Conditions already reported, so each is reported once until it clears. */
  reported: {
    offline: boolean;
    degraded: boolean;
    servicesFailed: boolean;
    reclaiming: boolean;
    closed: boolean;
    certificateExpired?: boolean;
  };
}

export const emptyHealthTrack: HealthTrack = {
  unreachable: 0,
  unresponsive: 0,
  servicesDown: 0,
  ingressDown: 0,
  overThreshold: { memory: 0, disk: 0, cpu: 0 },
  reported: {
    offline: false,
    degraded: false,
    servicesFailed: false,
    reclaiming: false,
    closed: false,
    certificateExpired: false,
  },
};
