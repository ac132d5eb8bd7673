import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { UsageError } from "../errors.js";
import { type ConfigField, configFields, findConfigField, reservedEnvNames } from "./config-fields.js";
import { retiredSettings } from "./retired-settings.js";
import { type AgentConfig, configSchema } from "./schema.js";

/** Where a setting's value came from, named in error messages. */
type Source = string;

export interface LoadConfigOptions {
  /** Path of a YAML config file (`--config`). */
  file?: string;
  /** Environment to read `AGENT_*` variables from. */
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, keyed by dotted config path (`budget.targetUsdPerDay`). */
  flags?: Record<string, unknown>;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (!isTree(next)) node[segment] = {};
    node = node[segment] as Tree;
  }
  node[path[path.length - 1] as string] = value;
}

function mergeInto(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isTree(existing) && isTree(value)) mergeInto(existing, value);
    else target[key] = value;
  }
}

function describeValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    // A YAML alias inside its own anchor (`a: &x [*x]`) makes a value that contains itself.
    text = "a value that contains itself";
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read config file ${file} (${code ?? "unreadable"}): check the --config path`,
    );
  }
  let parsed: unknown;
  try {
    // Warnings (an unknown `!tag`, whose value would be taken as plain text) are refused like errors,
    // rather than printed by the yaml library and ignored.
    const document = parseDocument(text, { logLevel: "error" });
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem) throw problem;
    parsed = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : "invalid YAML";
    throw new UsageError(`config file ${file} is not valid YAML: ${reason}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw new UsageError(`config file ${file} must hold a YAML mapping of settings`);
  return parsed;
}

function parseEnvValue(field: ConfigField, raw: string): unknown {
  switch (field.kind) {
    case "number": {
      const value = Number(raw);
      return raw.trim() === "" || Number.isNaN(value) ? raw : value;
    }
    case "boolean":
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      return raw;
    case "list":
      return raw.trim().startsWith("[")
        ? JSON.parse(raw)
        : raw
            .split(",")
            .map((item) => item.trim())
            .filter((item) => item !== "");
    default:
      return raw;
  }
}

function retiredError(key: string, value: unknown, source: Source, reason: string): UsageError {
  return new UsageError(
    `invalid config: ${key} = ${describeValue(value)} (from ${source}): no longer a setting, ${reason}; remove it`,
  );
}

/** Refuses a setting the schema no longer has (see retired-settings.ts), naming it and why. */
function refuseRetired(tree: Tree, source: Source): void {
  for (const setting of retiredSettings) {
    const value = valueAt(tree, setting.path);
    if (value !== undefined) throw retiredError(setting.key, value, source, setting.reason);
  }
}

function readEnv(env: NodeJS.ProcessEnv, sources: Map<string, Source>): Tree {
  const tree: Tree = {};
  const known = new Set(configFields.map((field) => field.envName));
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("AGENT_") || raw === undefined || reservedEnvNames.has(name)) continue;
    const retired = retiredSettings.find((setting) => setting.envName === name);
    if (retired) throw retiredError(retired.key, raw, name, retired.reason);
    if (!known.has(name)) continue;
    const field = configFields.find((candidate) => candidate.envName === name) as ConfigField;
    let value: unknown;
    try {
      value = parseEnvValue(field, raw);
    } catch {
      throw new UsageError(
        `invalid config: ${field.key} = ${describeValue(raw)} (from ${name}): not a JSON list`,
      );
    }
    setPath(tree, field.path, value);
    sources.set(field.key, name);
  }
  return tree;
}

function readFlags(flags: Record<string, unknown>, sources: Map<string, Source>): Tree {
  const tree: Tree = {};
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const field = findConfigField(key);
    if (!field) throw new Error(`flag mapped to unknown config key ${key}`);
    setPath(tree, field.path, value);
    sources.set(key, "command line");
  }
  return tree;
}

function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const segment of path) {
    if (!isTree(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** A key as written in a message: quoted when it is empty or holds spaces or symbols, so it can be seen. */
function shownKey(key: string): string {
  return /^[\w.-]+$/.test(key) ? key : JSON.stringify(key);
}

function allowedFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      return `must be ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}`;
    case "too_big":
      return `must be ${issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}`;
    case "invalid_value":
      return `allowed: ${issue.values.map((value) => String(value)).join(", ")}`;
    case "invalid_type":
      // A setting with its own message for a missing value ("needs both akash and npub") says more.
      return issue.message.startsWith("Invalid") ? `expected ${issue.expected}` : issue.message;
    case "unrecognized_keys":
      return `unknown setting${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map(shownKey).join(", ")}`;
    case "invalid_format":
      if (issue.format === "url") return "expected a URL";
      // A pattern with its own description ("an akash1… address") says more than "expected regex".
      return issue.format === "regex" && !issue.message.startsWith("Invalid")
        ? issue.message
        : `expected ${issue.format}`;
    default:
      return issue.message;
  }
}

/** Where a setting came from; an element of a list setting (`alerts.webhooks.0`) comes from its list's source. */
function sourceOf(path: readonly PropertyKey[], sources: Map<string, Source>): Source | undefined {
  for (let length = path.length; length > 0; length -= 1) {
    const source = sources.get(path.slice(0, length).map(String).join("."));
    if (source !== undefined) return source;
  }
  return undefined;
}

function formatIssue(
  issue: z.core.$ZodIssue,
  input: Tree,
  sources: Map<string, Source>,
  file?: string,
): string {
  const key = issue.path.map(String).join(".") || "(top level)";
  const source = sourceOf(issue.path, sources) ?? (file ? file : "defaults");
  if (issue.code === "unrecognized_keys") {
    const where = key === "(top level)" ? "" : ` under ${key}`;
    return `invalid config${where} (from ${source}): ${allowedFor(issue)}`;
  }
  const value = valueAt(input, issue.path);
  return `invalid config: ${key} = ${describeValue(value)} (from ${source}): ${allowedFor(issue)}`;
}

/**
 * Loads the agent's settings: defaults, then the YAML file, then `AGENT_*` variables, then flags.
 * An invalid value is a one-line UsageError naming the field, the value, its source and what is allowed.
 */
export function loadConfig(options: LoadConfigOptions = {}): AgentConfig {
  const sources = new Map<string, Source>();
  const input: Tree = {};
  if (options.file) {
    const fromFile = readFile(options.file);
    refuseRetired(fromFile, options.file);
    mergeInto(input, fromFile);
  }
  mergeInto(input, readEnv(options.env ?? process.env, sources));
  mergeInto(input, readFlags(options.flags ?? {}, sources));

  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    throw new UsageError(formatIssue(issue, input, sources, options.file));
  }
  return result.data;
}
