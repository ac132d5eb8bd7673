import { clampToRange, RESOURCE_LIMITS, type Resources } from "./resources.js";
import { type TrafficMetrics, validateTrafficMetrics } from "./traffic-metrics.js";

/** Events per second one cpu unit handles (design notes: 1 core per 100 events/s). */
export const EVENTS_PER_SECOND_PER_CPU = 100;
/** Memory starts at 4Gi and grows 1Gi per 10 000 connections. */
export const BASE_MEMORY_GI = 4;
export const CONNECTIONS_PER_EXTRA_GI = 10_000;
/** Storage keeps 50% headroom over what is used. */
export const STORAGE_HEADROOM = 1.5;

/**
 * The design notes' sizing rules for agent-relay, clamped to RESOURCE_LIMITS:
 * cpu = ⌈events/s ÷ 100⌉ ∈ [2, 8]; memory = 4 + ⌈connections ÷ 10 000⌉ Gi ∈ [4, 16];
 * storage = ⌈used Gi × 1.5⌉ ∈ [100, 500] Gi. Negative or non-finite metrics are rejected.
 */
export function resourcesForTraffic(metrics: TrafficMetrics): Resources {
  const valid = validateTrafficMetrics("metrics", metrics);
  return {
    cpuUnits: clampToRange(
      Math.ceil(valid.eventsPerSecond / EVENTS_PER_SECOND_PER_CPU),
      RESOURCE_LIMITS.cpuUnits,
    ),
    memoryGi: clampToRange(
      BASE_MEMORY_GI + Math.ceil(valid.activeConnections / CONNECTIONS_PER_EXTRA_GI),
      RESOURCE_LIMITS.memoryGi,
    ),
    storageGi: clampToRange(Math.ceil(valid.storageUsedGi * STORAGE_HEADROOM), RESOURCE_LIMITS.storageGi),
  };
}

/**
 * The cheapest resources the relay still runs on (a critical treasury's next deployment): the floor
 * of every range, with storage still holding what is used plus headroom.
 */
export function cheapestViableResources(storageUsedGi: number): Resources {
  return resourcesForTraffic({ eventsPerSecond: 0, activeConnections: 0, storageUsedGi });
}

/**
 * What a deployment made while the treasury is critical may hold: the cheapest viable resources,
 * keeping the storage asked for (it holds the relay's data). Other tiers take what was asked.
 */
export function resourcesForTier(requested: Resources, cheapestSdl: boolean): Resources {
  if (!cheapestSdl) return requested;
  return { ...cheapestViableResources(0), storageGi: requested.storageGi };
}
