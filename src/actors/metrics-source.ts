import type { LeaseKey } from "../services/akash/akash-types.js";

export interface ResourceUsage {
  memoryPercent: number;
  diskPercent: number;
  cpuPercent: number;
}

/**
 * Where resource usage of the running workload comes from: the relay's Prometheus endpoint in
 * production, a scripted profile on the devnet and in tests. Null when nothing is known yet.
 */
export interface MetricsSource {
  usage(lease: LeaseKey, uris: string[]): Promise<ResourceUsage | null>;
}

/** A metrics source whose readings are set from outside (devnet load profiles, tests). */
export class ScriptedMetrics implements MetricsSource {
  private current: ResourceUsage | null = null;

  set(usage: ResourceUsage | null): void {
    this.current = usage;
  }

  async usage(): Promise<ResourceUsage | null> {
    return this.current;
  }
}
