import type { Resources } from "./resources.js";

/**
 * The compute profile of each service of the deployment. agent-relay scales (its cpu, memory and
 * ephemeral storage come from the sizing rules); postgres and redis are fixed, as in the design
 * notes. This is the single source for both the SDL and the cost estimate.
 */

export const SERVICE_NAMES = ["agent-relay", "postgres", "redis"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * What the deployment holds: `relay` is the agent-relay service alone, its events and state on one
 * persistent volume sized by the storage rule; `nostream` adds the seed's postgres and redis beside it.
 */
export const SDL_PROFILES = ["relay", "nostream"] as const;
export type SdlProfile = (typeof SDL_PROFILES)[number];

/** Storage class of every persistent volume: beta3 = NVMe. */
export const PERSISTENT_STORAGE_CLASS = "beta3";

export interface Volume {
  /** Volume name in the SDL; the unnamed ephemeral root volume is "default". */
  readonly name: string;
  readonly sizeGi: number;
  /** Where a persistent volume is mounted (chain-sdk requires `params.storage.<name>.mount`). */
  readonly persistentMount: string | null;
}

export interface ServiceProfile {
  readonly service: ServiceName;
  readonly cpuUnits: number;
  readonly memoryGi: number;
  readonly volumes: readonly Volume[];
}

/** The agent's own state (SQLite store, keystore) lives on a 10Gi persistent volume. */
export const AGENT_DATA_MOUNT = "/var/lib/akash-agent";
export const POSTGRES_DATA_MOUNT = "/var/lib/postgresql/data";

const ephemeral = (sizeGi: number): Volume => ({ name: "default", sizeGi, persistentMount: null });
const persistent = (sizeGi: number, mount: string): Volume => ({
  name: "data",
  sizeGi,
  persistentMount: mount,
});

/**
 * The deployment's services for a given agent-relay size. `relay`: agent-relay alone, a 1Gi
 * ephemeral root (Akash requires one) and its data (agent store and relay events) on a persistent
 * volume of the relay's storage size. `nostream`: the three services' profiles. postgres gets a 1Gi ephemeral root
 * next to its 50Gi persistent volume: Akash requires a local container volume in every profile
 * (the notes' postgres profile has only the persistent one).
 */
export function deploymentProfiles(
  relay: Resources,
  profile: SdlProfile = "nostream",
): readonly ServiceProfile[] {
  if (profile === "relay") {
    return [
      {
        service: "agent-relay",
        cpuUnits: relay.cpuUnits,
        memoryGi: relay.memoryGi,
        volumes: [ephemeral(1), persistent(relay.storageGi, AGENT_DATA_MOUNT)],
      },
    ];
  }
  return [
    {
      service: "agent-relay",
      cpuUnits: relay.cpuUnits,
      memoryGi: relay.memoryGi,
      volumes: [ephemeral(relay.storageGi), persistent(10, AGENT_DATA_MOUNT)],
    },
    {
      service: "postgres",
      cpuUnits: 1,
      memoryGi: 2,
      volumes: [ephemeral(1), persistent(50, POSTGRES_DATA_MOUNT)],
    },
    { service: "redis", cpuUnits: 0.5, memoryGi: 2, volumes: [ephemeral(5)] },
  ];
}

export function totalStorageGi(profile: ServiceProfile): number {
  return profile.volumes.reduce((sum, volume) => sum + volume.sizeGi, 0);
}
