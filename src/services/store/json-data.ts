import { NotJsonDataError } from "./store-errors.js";

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value);
  if (typeof value === "object" && value !== null)
    return `a ${value.constructor?.name ?? "null-prototype"} object`;
  return `a ${typeof value}`;
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Throws unless `value` survives `JSON.stringify` → `JSON.parse` unchanged: strings, finite numbers,
 * booleans, null, arrays without holes and plain objects, no cycles. An object property holding
 * `undefined` is allowed (JSON drops it, which reads back as absent). `what` names the value in errors.
 */
export function assertJsonData(value: unknown, what: string): asserts value is JsonValue {
  const ancestors = new Set<object>();
  const visit = (node: unknown, path: string, inArray: boolean): void => {
    switch (typeof node) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(node)) throw new NotJsonDataError(what, path, describe(node));
        return;
      case "undefined":
        if (inArray || path === "$") throw new NotJsonDataError(what, path, "undefined");
        return;
      case "object": {
        if (node === null) return;
        if (ancestors.has(node)) throw new NotJsonDataError(what, path, "a reference to itself (a cycle)");
        const proto: unknown = Object.getPrototypeOf(node);
        const isArray = Array.isArray(node);
        if (!isArray && proto !== Object.prototype && proto !== null) {
          throw new NotJsonDataError(what, path, describe(node));
        }
        ancestors.add(node);
        if (isArray) {
          for (let index = 0; index < node.length; index += 1) {
            if (!(index in node)) throw new NotJsonDataError(what, `${path}[${index}]`, "an array hole");
            visit(node[index], `${path}[${index}]`, true);
          }
        } else {
          for (const [key, child] of Object.entries(node)) visit(child, childPath(path, key), false);
        }
        ancestors.delete(node);
        return;
      }
      default:
        throw new NotJsonDataError(what, path, describe(node));
    }
  };
  visit(value, "$", false);
}

/** Serialises a value after checking it is JSON data (see `assertJsonData`). */
export function toJsonText(value: unknown, what: string): string {
  assertJsonData(value, what);
  return JSON.stringify(value);
}

/** Parses JSON text read back from the database. */
export function parseJsonText(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}

/**
 * Path of the first string (or object key) in `value` that contains `needle`, for error messages
 * that must say where a secret sits without repeating it.
 */
export function findStringPath(value: unknown, needle: string, path = "$"): string | undefined {
  if (typeof value === "string") return value.includes(needle) ? path : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findStringPath(value[index], needle, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key.includes(needle)) return `a property name under ${path}`;
    const found = findStringPath(child, needle, childPath(path, key));
    if (found) return found;
  }
  return undefined;
}
