import type { z } from "zod";
import { configSchema } from "./schema.js";

/** A leaf setting of the config schema: its dotted path, its env variable and how to read a string. */
export interface ConfigField {
  path: readonly string[];
  key: string;
  envName: string;
  kind: "string" | "number" | "boolean" | "enum" | "list";
  options?: readonly string[];
}

type AnySchema = z.core.$ZodType;

/** Variables that are read elsewhere (secrets) and never treated as config fields. */
export const reservedEnvNames = new Set([
  "AGENT_MNEMONIC",
  "AGENT_PASSPHRASE",
  "AGENT_ARWEAVE_JWK",
  // Alert channel secrets (src/services/alerts/channel-secrets.ts).
  "AGENT_WEBHOOK_SECRET",
  "AGENT_SLACK_WEBHOOK_URL",
  "AGENT_TELEGRAM_BOT_TOKEN",
]);

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const inner = (current._zod.def as { innerType?: AnySchema }).innerType;
    if (!inner) return current;
    current = inner;
  }
}

function toEnvSegment(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** A setting's environment variable: its path in upper snake case after `AGENT_`. */
export function envNameOf(path: readonly string[]): string {
  return `AGENT_${path.map(toEnvSegment).join("_")}`;
}

function leafKind(schema: AnySchema): Pick<ConfigField, "kind" | "options"> {
  const def = schema._zod.def as { type: string; entries?: Record<string, string> };
  switch (def.type) {
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "boolean" };
    case "enum":
      return { kind: "enum", options: Object.values(def.entries ?? {}) };
    case "array":
      return { kind: "list" };
    default:
      return { kind: "string" };
  }
}

function collect(schema: AnySchema, path: string[], out: ConfigField[]): void {
  const node = unwrap(schema);
  const def = node._zod.def as { type: string; shape?: Record<string, AnySchema> };
  if (def.type === "object" && def.shape) {
    for (const [name, child] of Object.entries(def.shape)) collect(child, [...path, name], out);
    return;
  }
  out.push({
    path,
    key: path.join("."),
    envName: envNameOf(path),
    ...leafKind(node),
  });
}

/** Every leaf setting, derived from the schema so that env names and docs can never drift from it. */
export const configFields: readonly ConfigField[] = (() => {
  const out: ConfigField[] = [];
  collect(configSchema, [], out);
  return out;
})();

export function findConfigField(key: string): ConfigField | undefined {
  return configFields.find((field) => field.key === key);
}
