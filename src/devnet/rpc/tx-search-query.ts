import type { TxResultRecord } from "../chain/chain.js";

type Operator = "=" | "<" | "<=" | ">" | ">=" | "CONTAINS" | "EXISTS";

export interface Condition {
  readonly key: string;
  readonly op: Operator;
  readonly value: string;
}

/** Parses the CometBFT pubsub query subset that clients send to tx_search (`a.b='x' AND tx.height>5`). */
export function parseTxQuery(query: string): Condition[] {
  const parts = query
    .split(/\s+AND\s+/i)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error("empty query");
  return parts.map((part) => {
    const exists = /^([\w.\-/]+)\s+EXISTS$/i.exec(part);
    if (exists) return { key: exists[1]!, op: "EXISTS" as const, value: "" };
    const match = /^([\w.\-/]+)\s*(<=|>=|=|<|>|\s+CONTAINS\s+)\s*(?:'([^']*)'|(-?\d+(?:\.\d+)?))$/i.exec(
      part,
    );
    if (!match) throw new Error(`failed to parse query: ${part}`);
    const op = match[2]!.trim().toUpperCase() as Operator;
    return { key: match[1]!, op, value: match[3] ?? match[4] ?? "" };
  });
}

function compare(actual: string, op: Operator, expected: string): boolean {
  switch (op) {
    case "EXISTS":
      return true;
    case "CONTAINS":
      return actual.includes(expected);
    case "=":
      return actual === expected;
    default: {
      const a = Number(actual);
      const b = Number(expected);
      if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
      return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
    }
  }
}

function valuesFor(result: TxResultRecord, key: string, hashHex: string): string[] {
  if (key === "tx.hash") return [hashHex];
  if (key === "tx.height") return [result.height.toString()];
  const dot = key.lastIndexOf(".");
  if (dot < 0) return [];
  const type = key.slice(0, dot);
  const attribute = key.slice(dot + 1);
  const values: string[] = [];
  for (const event of result.events) {
    if (event.type !== type) continue;
    for (const a of event.attributes) if (a.key === attribute) values.push(a.value);
  }
  return values;
}

export function matchesTxQuery(
  result: TxResultRecord,
  hashHex: string,
  conditions: readonly Condition[],
): boolean {
  return conditions.every((c) => {
    const expected = c.key === "tx.hash" ? c.value.toUpperCase() : c.value;
    return valuesFor(result, c.key, hashHex).some((v) => compare(v, c.op, expected));
  });
}

/** Matches a CometBFT pubsub event map (`type.attribute` → values, plus `tm.event`, `tx.hash`, `tx.height`). */
export function matchesEventMap(
  events: Readonly<Record<string, readonly string[]>>,
  conditions: readonly Condition[],
): boolean {
  return conditions.every((c) => {
    const expected = c.key === "tx.hash" ? c.value.toUpperCase() : c.value;
    return (events[c.key] ?? []).some((v) => compare(v, c.op, expected));
  });
}
