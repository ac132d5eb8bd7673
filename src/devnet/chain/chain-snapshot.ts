import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import type { BlockRecord, TxResultRecord } from "./chain.js";
import { ChainState } from "./chain-state.js";

/**
 * A devnet chain's whole state as JSON: every ChainState map, the block store and the tx results. Values
 * the JSON format lacks are tagged: `{"$bigint": "…"}`, `{"$bytes": base64}`, `{"$date": ISO}`, `{"$map": […]}`.
 */
export interface ChainSnapshot {
  readonly version: 1;
  readonly chainId: string;
  readonly state: ChainState;
  readonly blocks: readonly BlockRecord[];
  readonly txResults: readonly TxResultRecord[];
}

const SNAPSHOT_VERSION = 1;

function tag(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === "bigint") return { $bigint: raw.toString() };
  if (raw instanceof Uint8Array) return { $bytes: toBase64(raw) };
  if (raw instanceof Date) return { $date: raw.toISOString() };
  if (raw instanceof Map) return { $map: [...raw.entries()] };
  return value;
}

function untag(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length !== 1) return value;
  if (typeof object.$bigint === "string") return BigInt(object.$bigint);
  if (typeof object.$bytes === "string") return fromBase64(object.$bytes);
  if (typeof object.$date === "string") return new Date(object.$date);
  if (Array.isArray(object.$map)) return new Map(object.$map as [unknown, unknown][]);
  return value;
}

export function encodeChainSnapshot(snapshot: Omit<ChainSnapshot, "version">): string {
  const { state, ...rest } = snapshot;
  const stateFields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(state)) stateFields[name] = field;
  return JSON.stringify({ version: SNAPSHOT_VERSION, ...rest, state: stateFields }, tag);
}

export function decodeChainSnapshot(text: string): ChainSnapshot {
  const parsed = JSON.parse(text, untag) as {
    version?: unknown;
    chainId?: unknown;
    state?: Record<string, unknown> & { params?: ChainState["params"] };
    blocks?: BlockRecord[];
    txResults?: TxResultRecord[];
  };
  if (parsed.version !== SNAPSHOT_VERSION)
    throw new Error(`unsupported devnet snapshot version ${String(parsed.version)}`);
  if (typeof parsed.chainId !== "string" || !parsed.state?.params || !Array.isArray(parsed.blocks))
    throw new Error("not a devnet chain snapshot");
  const state = new ChainState(parsed.state.params);
  const target = state as unknown as Record<string, unknown>;
  for (const [name, field] of Object.entries(parsed.state)) {
    if (!(name in target)) throw new Error(`devnet snapshot: unknown state field ${name}`);
    const current = target[name];
    if (current instanceof Map && !(field instanceof Map))
      throw new Error(`devnet snapshot: state field ${name} is not a map`);
    target[name] = field;
  }
  return {
    version: SNAPSHOT_VERSION,
    chainId: parsed.chainId,
    state,
    blocks: parsed.blocks,
    txResults: parsed.txResults ?? [],
  };
}

/** Writes the snapshot next to `path` and renames it into place, so a crash never leaves half a file. */
export function writeChainSnapshot(path: string, snapshot: Omit<ChainSnapshot, "version">): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, encodeChainSnapshot(snapshot));
  renameSync(temporary, path);
}

export function readChainSnapshot(path: string): ChainSnapshot {
  return decodeChainSnapshot(readFileSync(path, "utf8"));
}
