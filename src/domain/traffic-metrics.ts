import { requireNonNegative } from "./input-checks.js";

/** What the relay's traffic looks like right now (from the metrics source). */
export interface TrafficMetrics {
  readonly eventsPerSecond: number;
  readonly activeConnections: number;
  /** GiB the relay's data takes today. */
  readonly storageUsedGi: number;
}

export function validateTrafficMetrics(field: string, metrics: TrafficMetrics): TrafficMetrics {
  return {
    eventsPerSecond: requireNonNegative(`${field}.eventsPerSecond`, metrics?.eventsPerSecond),
    activeConnections: requireNonNegative(`${field}.activeConnections`, metrics?.activeConnections),
    storageUsedGi: requireNonNegative(`${field}.storageUsedGi`, metrics?.storageUsedGi),
  };
}
