import { sha256 } from "@noble/hashes/sha2.js";

/** JSON with object keys sorted at every level (Go's sdk.SortJSON / json-stable-stringify). */
export function sortedJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : sortedJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(",")}}`;
}

const HTML_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };

/** The manifest version a provider checks against the deployment's on-chain hash: sha256 of sorted JSON. */
export function manifestVersion(manifest: unknown): Uint8Array {
  const json = sortedJson(manifest).replace(/[<>&]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
  return sha256(new TextEncoder().encode(json));
}
