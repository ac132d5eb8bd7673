import { SDL } from "@akashnetwork/chain-sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DomainInputError,
  generateSdlTemplate,
  injectSecrets,
  MAX_RESOURCES,
  MIN_RESOURCES,
  type Resources,
  type SdlInput,
} from "../../../src/domain/index.js";
import { address, baseInput, identity, secrets } from "./fixtures.js";

const GI = 2 ** 30;
const text = (value: unknown) =>
  value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value as string | number);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

interface ParsedResource {
  resource: {
    cpu: { units: { val: unknown } };
    memory: { quantity: { val: unknown } };
    storage: { name: string; quantity: { val: unknown }; attributes?: { key: string; value: string }[] }[];
  };
  price: { denom: string; amount: string };
  count: number;
}
interface ParsedGroup {
  name: string;
  resources: ParsedResource[];
  requirements: {
    attributes: { key: string; value: string }[];
    signedBy: { allOf: string[]; anyOf: string[] };
  };
}
interface ParsedService {
  name: string;
  image: string;
  env: string[];
}

function deploy(input: SdlInput) {
  const template = generateSdlTemplate(input);
  const deployable = injectSecrets(template, secrets);
  const sdl = SDL.fromString(deployable.yamlWithSecrets(), "beta3");
  const groups = sdl.groups() as unknown as ParsedGroup[];
  const manifest = sdl.manifest() as unknown as { name: string; services: ParsedService[] }[];
  return { template, deployable, sdl, groups, manifest };
}

const cases: [string, SdlInput, Resources][] = [
  ["traffic in the middle", baseInput, { cpuUnits: 4, memoryGi: 7, storageGi: 120 }],
  [
    "no traffic (every lower clamp)",
    { ...baseInput, metrics: { eventsPerSecond: 0, activeConnections: 0, storageUsedGi: 0 } },
    MIN_RESOURCES,
  ],
  [
    "huge traffic (every upper clamp)",
    { ...baseInput, metrics: { eventsPerSecond: 1e7, activeConnections: 1e8, storageUsedGi: 1e6 } },
    MAX_RESOURCES,
  ],
  [
    "explicit size, smallest budget, a child with placement",
    {
      identity: { ...identity, role: "replica", parentAgentId: "agent-parent-1" },
      image: baseInput.image,
      resources: { cpuUnits: 6, memoryGi: 16, storageGi: 500 },
      budget: { targetUsdPerDay: 0.0432, actUsd: 1 },
      placement: {
        attributes: { "location-region": "eu-central", tier: "community" },
        signedBy: { anyOf: [address("z"), address("a")] },
      },
      extraEnv: { RELAY_NOTE: "from-the-operator", AGENT_LOG_LEVEL: "debug" },
      devnetUrl: "http://127.0.0.1:26700",
    },
    { cpuUnits: 6, memoryGi: 16, storageGi: 500 },
  ],
  [
    "large budget at a cheap ACT",
    { ...baseInput, budget: { targetUsdPerDay: 500, actUsd: 0.7 } },
    { cpuUnits: 4, memoryGi: 7, storageGi: 120 },
  ],
];

describe("generated SDL parses with chain-sdk", () => {
  it.each(cases)("%s", async (_name, input, expected) => {
    const { template, groups, manifest, sdl } = deploy(input);
    expect(template.resources).toEqual(expected);

    expect(groups).toHaveLength(1);
    const [group] = groups as [ParsedGroup];
    expect(group.name).toBe("dcloud");
    expect(group.resources).toHaveLength(3);
    const [relay, postgres, redis] = group.resources as [ParsedResource, ParsedResource, ParsedResource];

    expect(text(relay.resource.cpu.units.val)).toBe(String(expected.cpuUnits * 1000));
    expect(text(relay.resource.memory.quantity.val)).toBe(String(expected.memoryGi * GI));
    expect(relay.resource.storage.map((volume) => [volume.name, text(volume.quantity.val)])).toEqual([
      ["default", String(expected.storageGi * GI)],
      ["data", String(10 * GI)],
    ]);
    expect(relay.resource.storage[1]?.attributes).toEqual([
      { key: "class", value: "beta3" },
      { key: "persistent", value: "true" },
    ]);
    expect(text(postgres.resource.cpu.units.val)).toBe("1000");
    expect(postgres.resource.storage.map((volume) => text(volume.quantity.val))).toEqual([
      String(GI),
      String(50 * GI),
    ]);
    expect(text(redis.resource.cpu.units.val)).toBe("500");
    expect(text(redis.resource.memory.quantity.val)).toBe(String(2 * GI));

    for (const resource of group.resources) {
      expect(resource.price.denom).toBe("uact");
      expect(resource.count).toBe(1);
      expect(BigInt(resource.price.amount)).toBeGreaterThanOrEqual(1n);
    }
    const sum = group.resources.reduce((total, resource) => total + BigInt(resource.price.amount), 0n);
    expect(sum.toString()).toBe(template.maxPricePerBlock);

    const services = manifest[0]?.services ?? [];
    expect(services.map((service) => service.name)).toEqual(["agent-relay", "postgres", "redis"]);
    const relayEnv = services[0]?.env ?? [];
    expect(relayEnv).toContain(`AGENT_ID=${input.identity.agentId}`);
    expect(relayEnv).toContain(`AGENT_AKASH_ADDRESS=${input.identity.akashAddress}`);
    expect(relayEnv).toContain("AGENT_ROLE=deployed");
    expect(relayEnv.filter((entry) => entry.startsWith("AGENT_ACTIVATION_NONCE="))).toEqual(
      input.activationNonce === undefined ? [] : [`AGENT_ACTIVATION_NONCE=${input.activationNonce}`],
    );
    expect(relayEnv.some((entry) => /^AGENT_(MNEMONIC|KEYSTORE_BACKEND|PASSPHRASE)=/.test(entry))).toBe(
      false,
    );
    expect(relayEnv).toContain(`AGENT_CPU_UNITS=${expected.cpuUnits}`);
    expect(services[1]?.env).toContain(`POSTGRES_PASSWORD=${secrets.postgresPassword}`);

    const version = await sdl.manifestVersion();
    expect(version).toHaveLength(32);
  });

  it("prices the group at the budget: ⌈$5/day ÷ $1 × 10^6 ÷ 14 400⌉ = 348 uact per block", () => {
    const { template } = deploy(baseInput);
    expect(template.maxPricePerBlock).toBe("348");
    expect(Object.values(template.pricing).map(Number)).toEqual([243, 72, 33]);
  });

  it("carries placement attributes and auditors into the group requirements", () => {
    const [, input] = cases[3] as [string, SdlInput, Resources];
    const { groups, manifest } = deploy(input);
    expect(groups[0]?.requirements).toEqual({
      attributes: [
        { key: "location-region", value: "eu-central" },
        { key: "tier", value: "community" },
      ],
      signedBy: { allOf: [], anyOf: [address("a"), address("z")] },
    });
    const relayEnv = manifest[0]?.services[0]?.env ?? [];
    expect(relayEnv).toContain("AGENT_AGENT_PARENT_AGENT_ID=agent-parent-1");
    expect(relayEnv).toContain("AGENT_AGENT_ROLE=replica");
    expect(relayEnv).toContain("AGENT_DEVNET_URL=http://127.0.0.1:26700");
    expect(relayEnv.some((entry) => entry.startsWith("AGENT_ACTIVATION_NONCE="))).toBe(false);
    expect(relayEnv.slice(-2)).toEqual(["AGENT_LOG_LEVEL=debug", "RELAY_NOTE=from-the-operator"]);
  });

  it("has no placement requirements unless asked", () => {
    const { groups } = deploy(baseInput);
    expect(groups[0]?.requirements).toEqual({ attributes: [], signedBy: { allOf: [], anyOf: [] } });
  });
});

describe("determinism", () => {
  it("gives byte-identical YAML and the same manifest version for the same input and secrets", async () => {
    const first = deploy(baseInput);
    const second = deploy(structuredClone(baseInput));
    expect(second.deployable.yamlWithSecrets()).toBe(first.deployable.yamlWithSecrets());
    expect(hex(await second.sdl.manifestVersion())).toBe(hex(await first.sdl.manifestVersion()));
  });

  it("does not depend on the key order of any input record", async () => {
    const reversed = <T extends object>(value: T): T =>
      Object.fromEntries(Object.entries(value).reverse()) as T;
    const input = cases[3]?.[1] as SdlInput;
    const shuffled: SdlInput = {
      extraEnv: reversed(input.extraEnv ?? {}),
      placement: {
        signedBy: { anyOf: [...(input.placement?.signedBy?.anyOf ?? [])].reverse() },
        attributes: reversed(input.placement?.attributes ?? {}),
      },
      budget: reversed(input.budget),
      resources: reversed(input.resources as Resources),
      image: input.image,
      identity: reversed(input.identity),
      ...(input.devnetUrl ? { devnetUrl: input.devnetUrl } : {}),
    };
    const a = deploy(input);
    const b = deploy(shuffled);
    expect(b.deployable.yamlWithSecrets()).toBe(a.deployable.yamlWithSecrets());
    expect(hex(await b.sdl.manifestVersion())).toBe(hex(await a.sdl.manifestVersion()));
  });

  it("keeps YAML and groups stable under any permutation of attributes, auditors and extra env", () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9-]{1,12}$/);
    const envName = fc.stringMatching(/^EXTRA_[A-Z0-9]{1,8}$/);
    const value = fc.stringMatching(/^[a-z0-9.-]{1,16}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 5 }),
        fc.uniqueArray(fc.tuple(envName, value), { selector: ([k]) => k, maxLength: 4 }),
        fc.uniqueArray(fc.constantFrom(..."qpzry9x8gf2tvdw0s3jn54khce6mua7l"), { maxLength: 4 }),
        fc.infiniteStream(fc.nat()),
        (attributes, extraEnv, auditorChars, seeds) => {
          const shuffle = <T>(items: readonly T[]) =>
            items
              .map((item) => ({ item, order: seeds.next().value as number }))
              .sort((x, y) => x.order - y.order)
              .map(({ item }) => item);
          const make = (order: <T>(items: readonly T[]) => T[]): SdlInput => ({
            ...baseInput,
            placement: {
              attributes: Object.fromEntries(order(attributes)),
              signedBy: { anyOf: order(auditorChars.map(address)) },
            },
            extraEnv: Object.fromEntries(order(extraEnv)),
          });
          const a = injectSecrets(
            generateSdlTemplate(make((items) => [...items])),
            secrets,
          ).yamlWithSecrets();
          const b = injectSecrets(generateSdlTemplate(make(shuffle)), secrets).yamlWithSecrets();
          expect(b).toBe(a);
          expect(JSON.stringify(SDL.fromString(b, "beta3").groups())).toBe(
            JSON.stringify(SDL.fromString(a, "beta3").groups()),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("changes the manifest version when a secret changes (secrets are part of the manifest)", async () => {
    const template = generateSdlTemplate(baseInput);
    const a = SDL.fromString(injectSecrets(template, secrets).yamlWithSecrets(), "beta3");
    const other = { ...secrets, postgresPassword: "another-Secret-0123456" };
    const b = SDL.fromString(injectSecrets(template, other).yamlWithSecrets(), "beta3");
    expect(hex(await b.manifestVersion())).not.toBe(hex(await a.manifestVersion()));
  });
});

describe("input validation", () => {
  const withIdentity = (patch: object): SdlInput => ({ ...baseInput, identity: { ...identity, ...patch } });
  const cases: [string, SdlInput, string, string][] = [
    [
      "negative metric",
      { ...baseInput, metrics: { ...baseInput.metrics, eventsPerSecond: -3 } },
      "metrics.eventsPerSecond",
      "= -3: must be a finite number ≥ 0",
    ],
    [
      "NaN budget",
      { ...baseInput, budget: { targetUsdPerDay: Number.NaN, actUsd: 1 } },
      "budget.targetUsdPerDay",
      "= NaN: must be a finite number > 0",
    ],
    [
      "budget under 1 uact per service",
      { ...baseInput, budget: { targetUsdPerDay: 0.02, actUsd: 1 } },
      "budget.targetUsdPerDay",
      "must allow at least 1 uact per block per service (≥ 0.0432 USD/day",
    ],
    [
      "budget past the chain's price limit",
      { ...baseInput, budget: { targetUsdPerDay: 1e6, actUsd: 1 } },
      "budget.targetUsdPerDay",
      "over the chain's limit of 10000000",
    ],
    [
      "both sizings",
      { ...baseInput, resources: MIN_RESOURCES } as unknown as SdlInput,
      "resources",
      "give exactly one of metrics",
    ],
    [
      "no sizing",
      { ...baseInput, metrics: undefined } as unknown as SdlInput,
      "metrics",
      "give exactly one of metrics",
    ],
    [
      "size out of range",
      { ...baseInput, metrics: undefined, resources: { cpuUnits: 9, memoryGi: 4, storageGi: 100 } },
      "resources.cpuUnits",
      "= 9: must be a whole number from 2 to 8",
    ],
    [
      "bad address",
      withIdentity({ akashAddress: "cosmos1abc" }),
      "identity.akashAddress",
      "must be a bech32 akash1… address",
    ],
    ["bad pubkey", withIdentity({ nostrPubkey: "npub1xyz" }), "identity.nostrPubkey", "64 lowercase hex"],
    [
      "bad domain",
      withIdentity({ relayDomain: "Relay.Example.com" }),
      "identity.relayDomain",
      "lowercase hostname",
    ],
    [
      "newline in a name",
      withIdentity({ relayName: "a\nAGENT_MNEMONIC=x" }),
      "identity.relayName",
      "without control characters",
    ],
    [
      "unknown role",
      withIdentity({ role: "boss" }),
      "identity.role",
      "must be one of root, replica, specialized",
    ],
    ["empty image", { ...baseInput, image: "" }, "image", "must be non-empty text"],
    [
      "bad attribute key",
      { ...baseInput, placement: { attributes: { "9lives": "x" } } },
      "placement.attributes key",
      "Akash attribute key",
    ],
    [
      "bad auditor",
      { ...baseInput, placement: { signedBy: { anyOf: ["akash1short"] } } },
      "placement.signedBy.anyOf[0]",
      "akash1… address",
    ],
    [
      "env redefined",
      { ...baseInput, extraEnv: { AGENT_ID: "other" } },
      "extraEnv.AGENT_ID",
      "must not redefine a generated env name",
    ],
    [
      "process role through extraEnv",
      { ...baseInput, extraEnv: { AGENT_ROLE: "bootstrap" } },
      "extraEnv.AGENT_ROLE",
      "must not redefine a generated env name",
    ],
    [
      "devnet URL through extraEnv",
      { ...baseInput, extraEnv: { AGENT_DEVNET_URL: "http://127.0.0.1:1" } },
      "extraEnv.AGENT_DEVNET_URL",
      "must not redefine a generated env name",
    ],
    [
      "short activation nonce",
      { ...baseInput, activationNonce: "abc" },
      "activationNonce",
      "16–128 base64url characters",
    ],
    [
      "devnet URL off the devnet",
      {
        ...baseInput,
        identity: { ...baseInput.identity, network: "mainnet" },
        devnetUrl: "http://127.0.0.1:1",
      },
      "devnetUrl",
      "is for the devnet only",
    ],
    [
      "devnet URL that is no URL",
      { ...baseInput, devnetUrl: "127.0.0.1:1 x" },
      "devnetUrl",
      "an http(s) URL",
    ],
    [
      "secret through extraEnv",
      { ...baseInput, extraEnv: { ARWEAVE_JWK: "{}" } },
      "extraEnv.ARWEAVE_JWK",
      "public values only",
    ],
  ];

  it.each(cases)("rejects %s", (_name, input, field, allowed) => {
    let caught: unknown;
    try {
      generateSdlTemplate(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainInputError);
    expect((caught as DomainInputError).field).toBe(field);
    expect((caught as Error).message).toContain(`invalid input: ${field} `);
    expect((caught as Error).message).toContain(allowed);
  });
});
