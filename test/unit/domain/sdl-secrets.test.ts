import { inspect } from "node:util";
import { SDL } from "@akashnetwork/chain-sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DomainInputError,
  generateSdlTemplate,
  injectSecrets,
  REDACTED_MARKER,
  type SdlSecrets,
  type SdlTemplate,
} from "../../../src/domain/index.js";
import { baseInput, secrets } from "./fixtures.js";

const secretValues = Object.values(secrets);
const MNEMONIC =
  "legal winner thank year wave sausage worth useful legal winner thank yellow legal winner thank year wave sausage worth useful legal winner thank year";
const expectNoSecret = (text: string) => {
  for (const value of secretValues) expect(text).not.toContain(value);
};

describe("secrets enter only through injectSecrets", () => {
  const template = generateSdlTemplate(baseInput);
  const deployable = injectSecrets(template, secrets);

  it("a template holds placeholders, never values", () => {
    expect(String(template)).toBe(template.redactedYaml);
    expect(template.redactedYaml.split(REDACTED_MARKER)).toHaveLength(3); // 2 × postgres password
    expect(template.redactedYaml).not.toContain("AGENT_MNEMONIC");
    expect(template.redactedYaml).toContain(`POSTGRES_PASSWORD=${REDACTED_MARKER}`);
    expect("yamlWithSecrets" in template).toBe(false);
  });

  it("the deployable SDL prints, serialises and inspects as the redacted form", () => {
    expect(String(deployable)).toBe(template.redactedYaml);
    expect(`${deployable}`).toBe(template.redactedYaml);
    expect(JSON.parse(JSON.stringify({ sdl: deployable }))).toEqual({ sdl: template.redactedYaml });
    expect(deployable.redactedYaml).toBe(template.redactedYaml);
    for (const text of [
      String(deployable),
      JSON.stringify(deployable),
      inspect(deployable, { depth: 10, showHidden: true }),
      inspect({ nested: [deployable] }, { depth: 10 }),
      JSON.stringify(Object.entries(deployable)),
    ]) {
      expectNoSecret(text);
    }
  });

  it("only yamlWithSecrets() returns the values, and differs from the redacted form only in them", () => {
    const yaml = deployable.yamlWithSecrets();
    expect(yaml).not.toContain("AGENT_MNEMONIC");
    expect(yaml).not.toContain("AGENT_KEYSTORE_BACKEND");
    expect(yaml.split(secrets.postgresPassword)).toHaveLength(3);
    let redacted = yaml;
    for (const value of secretValues) redacted = redacted.split(value).join(REDACTED_MARKER);
    expect(redacted).toBe(template.redactedYaml);
  });

  it("refuses anything that is not a template from generateSdlTemplate", () => {
    const copied = JSON.parse(JSON.stringify(template)) as SdlTemplate;
    expect(() => injectSecrets(copied, secrets)).toThrow(TypeError);
    const lookalike = { ...template } as SdlTemplate;
    expect(() => injectSecrets(lookalike, secrets)).toThrow("needs a template made by generateSdlTemplate");
  });

  it.each([
    [{ ...secrets, agentMnemonic: MNEMONIC }, "secrets.agentMnemonic"],
    [{ ...secrets, postgresPassword: "short-pw" }, "secrets.postgresPassword"],
    [{ ...secrets, postgresPassword: "has a space in it 123" }, "secrets.postgresPassword"],
    [{ ...secrets, extra: "x".repeat(20) }, "secrets.extra"],
    [{}, "secrets.postgresPassword"],
  ])("rejects malformed secrets without echoing them (%#)", (bad, field) => {
    let caught: unknown;
    try {
      injectSecrets(template, bad as SdlSecrets);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainInputError);
    expect((caught as DomainInputError).field).toBe(field);
    expect((caught as Error).message).toContain(`${field} = ${REDACTED_MARKER}`);
    for (const value of Object.values(bad)) expect((caught as Error).message).not.toContain(value);
    expectNoSecret(JSON.stringify(caught));
  });

  it("round-trips any printable password through YAML into the manifest unchanged", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7e]{16,40}$/), (postgresPassword) => {
        const yaml = injectSecrets(template, { ...secrets, postgresPassword }).yamlWithSecrets();
        const manifest = SDL.fromString(yaml, "beta3").manifest() as unknown as {
          services: { env: string[] }[];
        }[];
        expect(manifest[0]?.services[1]?.env).toContain(`POSTGRES_PASSWORD=${postgresPassword}`);
      }),
      { numRuns: 60 },
    );
  });
});
