import type { MeasuredLoad, Resources, ResourceUsagePercent } from "../../domain/index.js";
import { usageOfResources } from "../../domain/index.js";
import type { RelayTraffic } from "../relay/index.js";

export interface RelayMetricsSourceOptions {
  /** The relay's traffic now. */
  traffic(): RelayTraffic;
  /** The size the lease runs at now, or null before there is one. */
  allocation(): Resources | null;
  /** The process's resident memory; default `process.memoryUsage.rss()`. */
  residentBytes?: () => number;
}

/**
 * The health monitor's metrics source outside tests: the relay's own measurement of its traffic
 * (events/s, open connections, stored bytes) against the resources the lease holds.
 */
export class RelayMetricsSource {
  constructor(private readonly options: RelayMetricsSourceOptions) {}

  /** What the relay measured, with the process's memory. */
  load(): MeasuredLoad {
    const traffic = this.options.traffic();
    return {
      eventsPerSecond: traffic.eventsPerSecond,
      openConnections: traffic.openConnections,
      storedBytes: traffic.storedBytes,
      residentBytes: (this.options.residentBytes ?? (() => process.memoryUsage.rss()))(),
    };
  }

  async usage(): Promise<ResourceUsagePercent | null> {
    const resources = this.options.allocation();
    if (!resources) return null;
    return usageOfResources(this.load(), resources);
  }
}
