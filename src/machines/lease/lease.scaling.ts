import type { ExhaustedResource, LeaseResources } from "./lease.types.js";

export const resourceCaps = { cpuUnits: 8, memoryGi: 16, storageGi: 500 } as const;

/**
 * The design notes' scale-up rule for an exhausted resource: memory ×2 (≤ 16Gi), storage +100Gi
 * (≤ 500Gi), cpu +2 units (≤ 8). Returns null when the resource is already at its cap.
 */
export function scaleUpResources(
  current: LeaseResources,
  resource: ExhaustedResource,
): LeaseResources | null {
  switch (resource) {
    case "memory": {
      const memoryGi = Math.min(resourceCaps.memoryGi, current.memoryGi * 2);
      return memoryGi > current.memoryGi ? { ...current, memoryGi } : null;
    }
    case "disk": {
      const storageGi = Math.min(resourceCaps.storageGi, current.storageGi + 100);
      return storageGi > current.storageGi ? { ...current, storageGi } : null;
    }
    case "cpu": {
      const cpuUnits = Math.min(resourceCaps.cpuUnits, current.cpuUnits + 2);
      return cpuUnits > current.cpuUnits ? { ...current, cpuUnits } : null;
    }
  }
}
