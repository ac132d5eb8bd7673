import type { AttributeValue } from "../chain/chain-state.js";

/** How a simulated provider behaves and what it offers. Prices are uact per block per unit of resource. */
export interface ProviderProfile {
  readonly name: string;
  readonly region: string;
  readonly country: string;
  readonly tier: "community" | "premium";
  readonly audited: boolean;
  /** Historical uptime fraction (0..1) reported to the Console API. */
  readonly uptime: number;
  /** Chance (0..1) that a deployment on this provider never becomes ready. */
  readonly failDeploymentChance: number;
  /** Multiplier on the base price list below. */
  readonly priceFactor: number;
  readonly storageClasses: readonly string[];
  readonly capacity: {
    readonly cpuMilli: number;
    readonly memoryBytes: number;
    readonly storageBytes: number;
  };
  readonly extraAttributes?: readonly AttributeValue[];
}

/** Base prices in uact per block: per CPU core, per GiB of memory, per GiB of storage. */
export const BASE_PRICES = { cpuCore: 1.2, memoryGi: 0.6, storageGi: 0.05, minimum: 0.5 } as const;

const GiB = 1024 ** 3;

export const DEFAULT_PROVIDER_PROFILES: readonly ProviderProfile[] = [
  {
    name: "provider-0",
    region: "na-us-west",
    country: "US",
    tier: "premium",
    audited: true,
    uptime: 0.999,
    failDeploymentChance: 0,
    priceFactor: 1.2,
    storageClasses: ["beta2", "beta3"],
    capacity: { cpuMilli: 64_000, memoryBytes: 256 * GiB, storageBytes: 4096 * GiB },
  },
  {
    name: "provider-1",
    region: "eu-central",
    country: "DE",
    tier: "premium",
    audited: true,
    uptime: 0.995,
    failDeploymentChance: 0,
    priceFactor: 1.0,
    storageClasses: ["beta2", "beta3"],
    capacity: { cpuMilli: 32_000, memoryBytes: 128 * GiB, storageBytes: 2048 * GiB },
  },
  {
    name: "provider-2",
    region: "na-us-east",
    country: "US",
    tier: "community",
    audited: false,
    uptime: 0.97,
    failDeploymentChance: 0,
    priceFactor: 0.7,
    storageClasses: ["beta1"],
    capacity: { cpuMilli: 16_000, memoryBytes: 64 * GiB, storageBytes: 1024 * GiB },
  },
  {
    name: "provider-3",
    region: "ap-southeast",
    country: "SG",
    tier: "community",
    audited: true,
    uptime: 0.99,
    failDeploymentChance: 0,
    priceFactor: 0.9,
    storageClasses: ["beta2", "beta3"],
    capacity: { cpuMilli: 32_000, memoryBytes: 128 * GiB, storageBytes: 2048 * GiB },
  },
  {
    name: "provider-4",
    region: "eu-west",
    country: "FR",
    tier: "community",
    audited: false,
    uptime: 0.93,
    failDeploymentChance: 0.25,
    priceFactor: 0.6,
    storageClasses: ["beta1", "beta2"],
    capacity: { cpuMilli: 8_000, memoryBytes: 32 * GiB, storageBytes: 512 * GiB },
  },
];

/** Profiles for N providers: the defaults, repeated with new names (and regions shifted) past five. */
export function defaultProfiles(count: number): ProviderProfile[] {
  return Array.from({ length: count }, (_, i) => {
    const base = DEFAULT_PROVIDER_PROFILES[i % DEFAULT_PROVIDER_PROFILES.length]!;
    return { ...base, name: `provider-${i}` };
  });
}

/** On-chain attributes for a profile (the Console/attributes-schema keys). */
export function profileAttributes(profile: ProviderProfile, organization = "akash-devnet"): AttributeValue[] {
  const attributes: AttributeValue[] = [
    { key: "host", value: "akash" },
    { key: "tier", value: profile.tier },
    { key: "organization", value: organization },
    { key: "location-region", value: profile.region },
    { key: "country", value: profile.country },
    { key: "feat-persistent-storage", value: String(profile.storageClasses.some((c) => c !== "beta1")) },
  ];
  profile.storageClasses.forEach((cls, index) => {
    attributes.push({ key: `capabilities/storage/${index + 1}/class`, value: cls });
    attributes.push({ key: `capabilities/storage/${index + 1}/persistent`, value: String(cls !== "beta1") });
  });
  for (const extra of profile.extraAttributes ?? []) attributes.push(extra);
  return attributes;
}
