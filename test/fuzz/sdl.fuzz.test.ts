import { SDL } from "@akashnetwork/chain-sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DomainInputError,
  generateSdlTemplate,
  injectSecrets,
  REDACTED_MARKER,
  type SdlInput,
  type SdlSecrets,
} from "../../src/domain/index.js";
import {
  awkwardJson,
  awkwardText,
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
} from "../support/input-fuzz.js";
import { baseInput, secrets } from "../unit/domain/fixtures.js";

/**
 * SDL inputs, fuzzed: the valid input of the domain tests with one to three of its values replaced by
 * anything (wrong types, empty, control characters, huge numbers, plausible values that pass). Each
 * input gives an SDL that chain-sdk parses as an Akash SDL (with the secrets injected), or a
 * DomainInputError whose field is one the case changed; the secrets never show outside
 * `yamlWithSecrets()`.
 */
const PATHS = [
  "identity",
  "identity.agentId",
  "identity.akashAddress",
  "identity.nostrPubkey",
  "identity.relayName",
  "identity.relayDomain",
  "identity.network",
  "identity.chainId",
  "identity.role",
  "identity.parentAgentId",
  "image",
  "budget",
  "budget.targetUsdPerDay",
  "budget.actUsd",
  "metrics",
  "metrics.eventsPerSecond",
  "metrics.activeConnections",
  "metrics.storageUsedGi",
  "resources",
  "resources.cpuUnits",
  "resources.memoryGi",
  "resources.storageGi",
  "placement",
  "placement.attributes",
  "placement.signedBy",
  "placement.signedBy.anyOf",
  "placement.signedBy.allOf",
  "rates",
  "rates.cpuPerUnit",
  "extraEnv",
  "profile",
  "activationNonce",
  "devnetUrl",
] as const;

/** Values that may pass as well as ones that must not. */
const value = fc.oneof(
  { weight: 3, arbitrary: awkwardJson },
  { weight: 3, arbitrary: awkwardText },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.double(),
      fc.integer({ min: -5, max: 1_000_000 }),
      fc.constantFrom(0, 1, 2, 4, 100, 0.5, 1e-9, 1e12),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "relay",
      "nostream",
      "replica",
      "devnet",
      "mainnet",
      "relay.example.org",
      "ghcr.io/a/b:1",
      "http://127.0.0.1:26680",
      "n0nce-Of-Dseq-43_abcdefgh",
      "akash1pppppppppppppppppppppppppppppppppppppp",
      { "location-region": "na-us-west" },
      { EXTRA_URL: "https://x.example" },
      { AGENT_MNEMONIC: "x" },
      ["akash1pppppppppppppppppppppppppppppppppppppp"],
      { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
      { cpuPerUnit: "0.5", memoryPerGi: "0.1", storagePerGi: "0.01", networkBase: "1" },
    ),
  },
);

function withValue(input: SdlInput, path: string, replacement: unknown): SdlInput {
  const copy = structuredClone(input) as unknown as Record<string, unknown>;
  const segments = path.split(".");
  let node = copy;
  for (const segment of segments.slice(0, -1)) {
    if (typeof node[segment] !== "object" || node[segment] === null) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1] as string;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy as unknown as SdlInput;
}

const change = fc.tuple(
  fc.constantFrom(...PATHS),
  fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) }),
);

const SECRET_VALUES = Object.values(secrets);

describe("fuzzing SDL inputs", () => {
  it("gives an SDL chain-sdk parses, or a DomainInputError naming a field the case changed", {
    timeout: fuzzTimeout(30_000),
  }, () => {
    const outcomes = { sdl: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
        const input = changes.reduce(
          (current, [path, replacement]) => withValue(current, path, replacement),
          baseInput as SdlInput,
        );
        let yaml: string;
        try {
          const template = generateSdlTemplate(input);
          const deployable = injectSecrets(template, secrets);
          yaml = deployable.yamlWithSecrets();
          expectNoSecretIn(
            `${template.redactedYaml}${String(deployable)}${JSON.stringify(deployable)}`,
            SECRET_VALUES,
            "the redacted SDL",
          );
        } catch (error) {
          if (!(error instanceof DomainInputError)) throw error;
          outcomes.refused += 1;
          expect(error.message).not.toContain("\n");
          // The field named is one the case changed, inside one it changed, or its sizing/pricing rule.
          const root = error.field.split(/[.[ ]/)[0] as string;
          const changedRoots = new Set(changes.map(([path]) => path.split(".")[0] as string));
          // Giving both metrics and resources (or neither) is named from either side.
          const sizing = new Set(["metrics", "resources"]);
          const named =
            changedRoots.has(root) ||
            (sizing.has(root) && [...changedRoots].some((changed) => sizing.has(changed)));
          expect(named, `${error.field} after changing ${changes.map(([path]) => path).join(", ")}`).toBe(
            true,
          );
          return;
        }
        outcomes.sdl += 1;
        // Whatever was accepted deploys: chain-sdk reads it as an SDL with groups and a manifest.
        const sdl = SDL.fromString(yaml, "beta3");
        expect(sdl.groups().length).toBeGreaterThan(0);
        expect(sdl.manifest().length).toBeGreaterThan(0);
      }),
      fuzzParameters(300),
    );
    expect(outcomes.sdl).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("takes secrets only as a printable password of 16+ characters, and never echoes one", {
    timeout: fuzzTimeout(30_000),
  }, () => {
    const template = generateSdlTemplate(baseInput);
    fc.assert(
      fc.property(
        fc.oneof(
          awkwardJson,
          fc.record({ postgresPassword: fc.oneof(awkwardText, fc.string({ minLength: 16, maxLength: 40 })) }),
          fc.dictionary(fc.string({ maxLength: 15 }), awkwardText, { maxKeys: 2 }),
        ),
        (given) => {
          try {
            const deployable = injectSecrets(template, given as SdlSecrets);
            const password = (given as SdlSecrets).postgresPassword;
            expect(password.length).toBeGreaterThanOrEqual(16);
            // (A password that is also public text of the SDL, e.g. the owner's address, is found there anyway.)
            if (!template.redactedYaml.includes(password)) expect(String(deployable)).not.toContain(password);
            SDL.fromString(deployable.yamlWithSecrets(), "beta3");
          } catch (error) {
            if (!(error instanceof DomainInputError)) throw error;
            expect(error.shownValue).toBe(REDACTED_MARKER);
            expect(error.field.startsWith("secrets")).toBe(true);
          }
        },
      ),
      fuzzParameters(200),
    );
  });
});
