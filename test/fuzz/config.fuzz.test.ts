import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { reservedEnvNames } from "../../src/config/config-fields.js";
import { configFields, configSchema, loadConfig } from "../../src/config/index.js";
import { UsageError } from "../../src/errors.js";
import {
  awkwardJson,
  awkwardText,
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
  mnemonicSpellings,
} from "../support/input-fuzz.js";

const MNEMONIC =
  "legal winner thank year wave sausage worth useful legal winner thank yellow legal winner thank year wave sausage worth useful legal winner thank year";
const PASSPHRASE = "fuzz-Passphrase-9c1e7a2b";
const SECRETS = [...mnemonicSpellings(MNEMONIC), PASSPHRASE];

const dir = mkdtempSync(join(tmpdir(), "config-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every dotted key the schema knows, and their path prefixes (the tree's inner nodes). */
const keys = configFields.map((field) => field.key);
const segments = [...new Set(configFields.flatMap((field) => field.path))];
const envNames = configFields.map((field) => field.envName);

/** An env value a person might type, or one that is trouble. */
const envValue = fc.oneof(
  awkwardText,
  fc.double().map(String),
  fc.integer().map(String),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
);

const environment = fc
  .record({
    known: fc.dictionary(fc.constantFrom(...envNames), envValue, { maxKeys: 6 }),
    strangers: fc.dictionary(fc.stringMatching(/^AGENT_[A-Z_]{1,20}$/), envValue, { maxKeys: 3 }),
  })
  .map(({ known, strangers }) => ({
    ...strangers,
    ...known,
    AGENT_MNEMONIC: MNEMONIC,
    AGENT_PASSPHRASE: PASSPHRASE,
  }));

/** A settings tree shaped like the schema's (known keys, some unknown), with any leaf values. */
const settingsTree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  tree: fc.dictionary(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...segments) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    ),
    fc.oneof({ weight: 3, arbitrary: awkwardJson }, { weight: 2, arbitrary: tie("tree") }),
    { maxKeys: 5, depthIdentifier: "tree" },
  ),
})).tree;

/** A leaf set to a value of the right kind, so some runs get past the first field into the rest. */
const oneSetting = fc.tuple(fc.constantFrom(...keys), fc.oneof(awkwardJson, fc.double(), fc.boolean()));

const fileText = fc.oneof(
  settingsTree.map((tree) => toYaml(tree)),
  fc.array(oneSetting, { maxLength: 4 }).map((pairs) => {
    const tree: Record<string, unknown> = {};
    for (const [key, value] of pairs) {
      const path = key.split(".");
      let node = tree;
      for (const segment of path.slice(0, -1)) {
        node[segment] = typeof node[segment] === "object" && node[segment] !== null ? node[segment] : {};
        node = node[segment] as Record<string, unknown>;
      }
      node[path[path.length - 1] as string] = value;
    }
    return toYaml(tree);
  }),
  // YAML that is broken in small ways: a character dropped, doubled or replaced.
  fc
    .tuple(
      settingsTree.map((tree) => toYaml(tree)),
      fc.nat(),
      fc.constantFrom(":", "-", "[", "{", "'", '"', "\t", "&", "*", "!", "%", "\n  "),
    )
    .map(([yaml, at, char]) => {
      const i = yaml.length === 0 ? 0 : at % yaml.length;
      return `${yaml.slice(0, i)}${char}${yaml.slice(i)}`;
    }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    "",
    "---",
    "[]",
    "- 1",
    "a: &a [*a]",
    "network: !!binary aGVsbG8=",
    "? [a]\n: b",
    "x: 1\nx: 2",
  ),
);

/**
 * What every refusal of loadConfig looks like: a UsageError whose one line names the field (or the file
 * or the top level) and never a secret.
 */
function expectClearRefusal(error: unknown): void {
  if (!(error instanceof UsageError)) throw error;
  expect(error.message).not.toContain("\n");
  expect(error.message).toMatch(
    /^(invalid config: \S+ = .* \(from .+\): .+|invalid config( under \S+)? \(from .+\): unknown settings? .+|config file .+ (is not valid YAML|must hold a YAML mapping).*)$/,
  );
  const field = /^invalid config: (\S+) = /.exec(error.message)?.[1];
  if (field !== undefined && field !== "(top level)") {
    // The field named is a setting of the schema, or a path under one (a list element, a record entry).
    const known = keys.some(
      (key) => field === key || field.startsWith(`${key}.`) || key.startsWith(`${field}.`),
    );
    expect(known, `${field} is not a setting`).toBe(true);
  }
  expectNoSecretIn(error.message, SECRETS, "a config error");
}

describe("fuzzing the config: YAML files and AGENT_* variables", () => {
  it("turns every environment into a valid config or a UsageError naming the variable's setting", {
    timeout: fuzzTimeout(30_000),
  }, () => {
    fc.assert(
      fc.property(environment, (env) => {
        try {
          const config = loadConfig({ env });
          expect(configSchema.safeParse(config).success).toBe(true);
          expectNoSecretIn(JSON.stringify(config), SECRETS, "a loaded config");
        } catch (error) {
          expectClearRefusal(error);
          const named = /\(from (AGENT_[A-Z0-9_]+)\)/.exec((error as Error).message)?.[1];
          if (named) expect(reservedEnvNames.has(named)).toBe(false);
        }
      }),
      fuzzParameters(200),
    );
  });

  it("turns every config file (with or without env) into a valid config or a UsageError naming the setting", {
    timeout: fuzzTimeout(30_000),
  }, () => {
    let count = 0;
    fc.assert(
      fc.property(fileText, fc.option(environment, { nil: undefined }), (text, env) => {
        const file = join(dir, `config-${count++ % 8}.yaml`);
        writeFileSync(file, text);
        try {
          const config = loadConfig({ file, env: env ?? {} });
          expect(configSchema.safeParse(config).success).toBe(true);
          // A key like __proto__ in the file must not reach the prototype of anything.
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        } catch (error) {
          expectClearRefusal(error);
        }
      }),
      fuzzParameters(200),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // Found by this fuzzer: a YAML alias inside its own anchor made loadConfig throw a TypeError
  // ("Converting circular structure to JSON") while it described the bad value.
  it("refuses a value that contains itself (a YAML alias in its own anchor) with a UsageError", () => {
    for (const [text, field] of [
      ["agent: &a [*a]", "agent"],
      ["admin:\n  npubs: &a [*a]", "admin.npubs.0"],
    ] as const) {
      const file = join(dir, "self-reference.yaml");
      writeFileSync(file, text);
      expect(() => loadConfig({ file, env: {} })).toThrow(
        new UsageError(
          `invalid config: ${field} = a value that contains itself (from ${file}): ${
            field === "agent" ? "expected object" : "expected string"
          }`,
        ),
      );
    }
  });

  // Found by this fuzzer: an unknown tag was only a warning printed by the yaml library, and the value
  // was taken as plain text (`network: !foo mainnet` ran on mainnet).
  it("refuses an unknown YAML tag instead of printing a warning and taking the value", () => {
    const file = join(dir, "tagged.yaml");
    writeFileSync(file, "network: !foo mainnet\n");
    expect(() => loadConfig({ file, env: {} })).toThrow(
      new UsageError(`config file ${file} is not valid YAML: Unresolved tag: !foo at line 1, column 10:`),
    );
  });

  // Found by this fuzzer: an empty key (`agent: { "": 0 }`) gave "unknown setting " naming nothing.
  it("quotes an unknown key that is empty or not a plain word, so the message shows it", () => {
    const file = join(dir, "empty-key.yaml");
    writeFileSync(file, 'agent:\n  "": 0\n  "a b": 1\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(
      new UsageError(`invalid config under agent (from ${file}): unknown settings "", "a b"`),
    );
  });
});
