import { SDL } from "@akashnetwork/chain-sdk";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DomainInputError } from "../../../src/domain/domain-input-error.js";
import { deploymentProfiles, generateSdlTemplate, injectSecrets } from "../../../src/domain/index.js";
import { AGENT_DATA_MOUNT } from "../../../src/domain/service-profiles.js";
import { baseInput, secrets } from "./fixtures.js";

interface SdlTree {
  services: Record<string, { env?: string[]; params?: unknown; dependencies?: unknown }>;
  profiles: {
    compute: Record<string, { resources: { storage: { name?: string; size: string }[] } }>;
    placement: Record<string, { pricing: Record<string, { amount: number }> }>;
  };
}

describe("SDL profiles", () => {
  it("relay: one agent-relay service whose data lives on a persistent volume of the relay's storage size", () => {
    const template = generateSdlTemplate({ ...baseInput, profile: "relay" });
    const yaml = injectSecrets(template, secrets).yamlWithSecrets();
    const tree = parse(yaml) as SdlTree;
    expect(Object.keys(tree.services)).toEqual(["agent-relay"]);
    expect(tree.services["agent-relay"]?.dependencies).toBeUndefined();
    expect(tree.services["agent-relay"]?.params).toEqual({ storage: { data: { mount: AGENT_DATA_MOUNT } } });
    expect(tree.profiles.compute["agent-relay"]?.resources.storage).toEqual([
      { size: "1Gi" },
      expect.objectContaining({ name: "data", size: `${template.resources.storageGi}Gi` }),
    ]);
    expect(tree.services["agent-relay"]?.env?.some((entry) => entry.startsWith("POSTGRES_"))).toBe(false);
    // The whole price goes to the one service, and chain-sdk takes the SDL.
    expect(Object.values(tree.profiles.placement.dcloud!.pricing)).toEqual([
      { denom: "uact", amount: Number(template.maxPricePerBlock) },
    ]);
    const sdl = SDL.fromString(yaml, "beta3");
    expect(sdl.groups()).toHaveLength(1);
    expect(yaml).not.toContain(secrets.postgresPassword);
  });

  it("nostream: the seed's three services (the default when no profile is named)", () => {
    const named = generateSdlTemplate({ ...baseInput, profile: "nostream" });
    expect(named.redactedYaml).toBe(generateSdlTemplate(baseInput).redactedYaml);
    const tree = parse(named.redactedYaml) as SdlTree;
    expect(Object.keys(tree.services)).toEqual(["agent-relay", "postgres", "redis"]);
    expect(deploymentProfiles(named.resources, "nostream")).toHaveLength(3);
  });

  it("refuses an unknown profile, naming the field", () => {
    expect(() => generateSdlTemplate({ ...baseInput, profile: "mesh" as never })).toThrow(DomainInputError);
    expect(() => generateSdlTemplate({ ...baseInput, profile: "mesh" as never })).toThrow(/profile/);
  });
});
