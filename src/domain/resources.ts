import { DomainInputError } from "./domain-input-error.js";

/**
 * Compute asked for the agent-relay service, the part of the deployment that scales. (postgres and
 * redis have fixed profiles: see service-profiles.ts.) Whole units: the sizing rules produce them.
 */
export interface Resources {
  readonly cpuUnits: number;
  /** GiB of memory (the SDL's `Gi`). */
  readonly memoryGi: number;
  /** GiB of ephemeral storage (the SDL's `Gi`). */
  readonly storageGi: number;
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

/** The design notes' bounds for agent-relay. */
export const RESOURCE_LIMITS: { readonly [K in keyof Resources]: Range } = {
  cpuUnits: { min: 2, max: 8 },
  memoryGi: { min: 4, max: 16 },
  storageGi: { min: 100, max: 500 },
};

export const MIN_RESOURCES: Resources = {
  cpuUnits: RESOURCE_LIMITS.cpuUnits.min,
  memoryGi: RESOURCE_LIMITS.memoryGi.min,
  storageGi: RESOURCE_LIMITS.storageGi.min,
};

export const MAX_RESOURCES: Resources = {
  cpuUnits: RESOURCE_LIMITS.cpuUnits.max,
  memoryGi: RESOURCE_LIMITS.memoryGi.max,
  storageGi: RESOURCE_LIMITS.storageGi.max,
};

export function clampToRange(value: number, range: Range): number {
  return Math.min(range.max, Math.max(range.min, value));
}

/** Rejects anything that is not a whole number inside RESOURCE_LIMITS, naming `${field}.${key}`. */
export function validateResources(field: string, resources: Resources): Resources {
  if (typeof resources !== "object" || resources === null) {
    throw DomainInputError.of(field, resources, "must be an object { cpuUnits, memoryGi, storageGi }");
  }
  for (const key of Object.keys(RESOURCE_LIMITS) as (keyof Resources)[]) {
    const value = resources[key];
    const { min, max } = RESOURCE_LIMITS[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw DomainInputError.of(`${field}.${key}`, value, `must be a whole number from ${min} to ${max}`);
    }
  }
  return { cpuUnits: resources.cpuUnits, memoryGi: resources.memoryGi, storageGi: resources.storageGi };
}

/** The notes' rule: vertical scaling is still possible while cpu < 8 or memory < 16Gi. */
export function hasVerticalHeadroom(resources: Resources): boolean {
  return (
    resources.cpuUnits < RESOURCE_LIMITS.cpuUnits.max || resources.memoryGi < RESOURCE_LIMITS.memoryGi.max
  );
}
