import { CONNECTIONS_PER_EXTRA_GI, EVENTS_PER_SECOND_PER_CPU } from "./resource-sizing.js";
import type { Resources } from "./resources.js";

const GIB = 1024 ** 3;

/** How full the deployment's resources are, in percent (what the health monitor compares to its thresholds). */
export interface ResourceUsagePercent {
  memoryPercent: number;
  diskPercent: number;
  cpuPercent: number;
}

/** What the relay measured about its own traffic, and the process's memory. */
export interface MeasuredLoad {
  eventsPerSecond: number;
  openConnections: number;
  storedBytes: number;
  /** Resident memory of the agent process (relay included), bytes. */
  residentBytes: number;
}

const percent = (used: number, capacity: number) => (capacity > 0 ? (100 * used) / capacity : 0);

/**
 * The measured load against the size the lease runs at, by the same rules that size it
 * (resource-sizing.ts): one cpu unit per 100 events/s; memory is what the process holds plus 1 Gi per
 * 10 000 connections; disk is the event store against the relay's storage.
 */
export function usageOfResources(load: MeasuredLoad, resources: Resources): ResourceUsagePercent {
  const memoryGi = load.residentBytes / GIB + load.openConnections / CONNECTIONS_PER_EXTRA_GI;
  return {
    cpuPercent: percent(load.eventsPerSecond, resources.cpuUnits * EVENTS_PER_SECOND_PER_CPU),
    memoryPercent: percent(memoryGi, resources.memoryGi),
    diskPercent: percent(load.storedBytes / GIB, resources.storageGi),
  };
}
