import { stringify } from "yaml";
import { PRICE_DENOM } from "../chain-units.js";
import type { Resources } from "../resources.js";
import {
  AGENT_DATA_MOUNT,
  deploymentProfiles,
  PERSISTENT_STORAGE_CLASS,
  POSTGRES_DATA_MOUNT,
  type SdlProfile,
  type ServiceName,
  type ServiceProfile,
} from "../service-profiles.js";
import type { AgentIdentity, ValidInstanceEnv, ValidPlacement } from "./sdl-input.js";
import type { SdlSecretName } from "./sdl-secrets.js";

/** Everything an SDL is made of, validated. Secrets are not in it: they come from `secretValue`. */
export interface SdlSpec {
  readonly identity: Required<AgentIdentity>;
  readonly image: string;
  readonly resources: Resources;
  readonly profile: SdlProfile;
  readonly placement: ValidPlacement;
  readonly pricing: readonly { readonly service: ServiceName; readonly amount: bigint }[];
  /** Sorted by name. */
  readonly extraEnv: readonly (readonly [string, string])[];
  readonly instance: ValidInstanceEnv;
}

export type SecretValue = (name: SdlSecretName) => string;

/** The placement (and so the group) name, as in the design notes. */
export const PLACEMENT_NAME = "dcloud";
export const POSTGRES_IMAGE = "postgres:14-alpine";
export const REDIS_IMAGE = "redis:7-alpine";
const POSTGRES_DATABASE = "nostream";
const POSTGRES_USER = "nostream";

/** Env names the generator owns even when it leaves them out (extraEnv must not set them). */
export const INSTANCE_ENV_NAMES = ["AGENT_ROLE", "AGENT_ACTIVATION_NONCE", "AGENT_DEVNET_URL"] as const;

/**
 * agent-relay's env before `extraEnv`, in a fixed order. Names that the agent's config loader
 * reads (AGENT_NETWORK, AGENT_DATA_DIR, AGENT_DEVNET_URL, AGENT_AGENT_*) configure the agent inside
 * the image. AGENT_ROLE=deployed is the process role (the instance waits for activation), not the
 * family role AGENT_AGENT_ROLE. Nothing here is secret: the agent's keys arrive by activation.
 */
export function relayEnvEntries(spec: SdlSpec, secretValue: SecretValue): [string, string][] {
  const { identity, resources } = spec;
  return [
    ["AGENT_ID", identity.agentId],
    ["AGENT_AKASH_ADDRESS", identity.akashAddress],
    ["AGENT_NOSTR_PUBKEY", identity.nostrPubkey],
    ["AGENT_NETWORK", identity.network],
    ["AGENT_CHAIN_ID", identity.chainId],
    ["AGENT_AGENT_ROLE", identity.role],
    ...(identity.parentAgentId === null
      ? []
      : [["AGENT_AGENT_PARENT_AGENT_ID", identity.parentAgentId] as [string, string]]),
    ["AGENT_AGENT_RELAY_NAME", identity.relayName],
    ["AGENT_AGENT_RELAY_DOMAIN", identity.relayDomain],
    ["AGENT_AGENT_IMAGE", spec.image],
    ["AGENT_CPU_UNITS", String(resources.cpuUnits)],
    ["AGENT_MEMORY_GI", String(resources.memoryGi)],
    ["AGENT_STORAGE_GI", String(resources.storageGi)],
    ["AGENT_DATA_DIR", AGENT_DATA_MOUNT],
    ["AGENT_ROLE", "deployed"],
    ...optionalEntry("AGENT_ACTIVATION_NONCE", spec.instance.activationNonce),
    ...optionalEntry("AGENT_DEVNET_URL", spec.instance.devnetUrl),
    ...(spec.profile === "nostream" ? nostreamEnvEntries(secretValue) : []),
  ];
}

function optionalEntry(name: string, value: string | null): [string, string][] {
  return value === null ? [] : [[name, value]];
}

/** How agent-relay reaches postgres and redis in the `nostream` profile. */
function nostreamEnvEntries(secretValue: SecretValue): [string, string][] {
  return [
    ["POSTGRES_HOST", "postgres"],
    ["POSTGRES_PORT", "5432"],
    ["POSTGRES_DB", POSTGRES_DATABASE],
    ["POSTGRES_USER", POSTGRES_USER],
    ["POSTGRES_PASSWORD", secretValue("postgresPassword")],
    ["REDIS_HOST", "redis"],
    ["REDIS_PORT", "6379"],
  ];
}

const envList = (entries: readonly (readonly [string, string])[]) =>
  entries.map(([name, value]) => `${name}=${value}`);

function storageParams(profile: ServiceProfile) {
  const mounts = profile.volumes.filter((volume) => volume.persistentMount !== null);
  return {
    storage: Object.fromEntries(mounts.map((volume) => [volume.name, { mount: volume.persistentMount }])),
  };
}

function computeProfile(profile: ServiceProfile) {
  return {
    resources: {
      cpu: { units: profile.cpuUnits },
      memory: { size: `${profile.memoryGi}Gi` },
      storage: profile.volumes.map((volume) =>
        volume.persistentMount === null
          ? { size: `${volume.sizeGi}Gi` }
          : {
              name: volume.name,
              size: `${volume.sizeGi}Gi`,
              attributes: { persistent: true, class: PERSISTENT_STORAGE_CLASS },
            },
      ),
    },
  };
}

function placement(spec: SdlSpec) {
  const { attributes, anyOf, allOf } = spec.placement;
  const signedBy = { ...(allOf.length > 0 ? { allOf } : {}), ...(anyOf.length > 0 ? { anyOf } : {}) };
  return {
    ...(attributes.length > 0 ? { attributes: Object.fromEntries(attributes) } : {}),
    ...(allOf.length + anyOf.length > 0 ? { signedBy } : {}),
    pricing: Object.fromEntries(
      spec.pricing.map(({ service, amount }) => [service, { denom: PRICE_DENOM, amount: Number(amount) }]),
    ),
  };
}

/**
 * The SDL as a YAML-ready tree, keys in a fixed order. Two deliberate departures from the notes:
 * `dependencies` instead of `depends_on` (chain-sdk's schema rejects the latter), and postgres and
 * redis settings as command arguments, because the images ignore POSTGRES_MAX_CONNECTIONS and
 * REDIS_MAXMEMORY env (redis gets 1536mb, leaving room under its 2Gi limit, where the notes' 2gb
 * equals the limit). PGDATA points below the mount, as the postgres image needs an empty directory.
 */
export function sdlDocument(spec: SdlSpec, secretValue: SecretValue) {
  const [relay, postgres, redis] = deploymentProfiles(spec.resources, spec.profile) as [
    ServiceProfile,
    ServiceProfile | undefined,
    ServiceProfile | undefined,
  ];
  const nostream = spec.profile === "nostream" && postgres !== undefined && redis !== undefined;
  const onlyToRelay = () => [{ service: "agent-relay" }];
  const agentRelay = {
    image: spec.image,
    env: envList([...relayEnvEntries(spec, secretValue), ...spec.extraEnv]),
    expose: [
      { port: 8080, as: 80, to: [{ global: true }] },
      { port: 8443, as: 443, accept: [spec.identity.relayDomain], to: [{ global: true }] },
      { port: 7946, as: 7946, proto: "udp", to: [{ global: true }] },
    ],
    params: storageParams(relay),
  };
  const placementName = { [PLACEMENT_NAME]: placement(spec) };
  if (!nostream) {
    return {
      version: "2.0",
      services: { "agent-relay": agentRelay },
      profiles: { compute: { "agent-relay": computeProfile(relay) }, placement: placementName },
      deployment: { "agent-relay": { [PLACEMENT_NAME]: { profile: "agent-relay", count: 1 } } },
    };
  }
  return {
    version: "2.0",
    services: {
      "agent-relay": { ...agentRelay, dependencies: [{ service: "postgres" }, { service: "redis" }] },
      postgres: {
        image: POSTGRES_IMAGE,
        args: ["postgres", "-c", "max_connections=200"],
        env: envList([
          ["POSTGRES_DB", POSTGRES_DATABASE],
          ["POSTGRES_USER", POSTGRES_USER],
          ["POSTGRES_PASSWORD", secretValue("postgresPassword")],
          ["PGDATA", `${POSTGRES_DATA_MOUNT}/pgdata`],
        ]),
        expose: [{ port: 5432, to: onlyToRelay() }],
        params: storageParams(postgres),
      },
      redis: {
        image: REDIS_IMAGE,
        args: ["redis-server", "--maxmemory", "1536mb", "--maxmemory-policy", "allkeys-lru"],
        expose: [{ port: 6379, to: onlyToRelay() }],
      },
    },
    profiles: {
      compute: {
        "agent-relay": computeProfile(relay),
        postgres: computeProfile(postgres),
        redis: computeProfile(redis),
      },
      placement: placementName,
    },
    deployment: {
      "agent-relay": { [PLACEMENT_NAME]: { profile: "agent-relay", count: 1 } },
      postgres: { [PLACEMENT_NAME]: { profile: "postgres", count: 1 } },
      redis: { [PLACEMENT_NAME]: { profile: "redis", count: 1 } },
    },
  };
}

/** The SDL's YAML text: deterministic for a given spec and secrets (no line folding, fixed key order). */
export function renderSdlYaml(spec: SdlSpec, secretValue: SecretValue): string {
  return stringify(sdlDocument(spec, secretValue), { lineWidth: 0, aliasDuplicateObjects: false });
}
