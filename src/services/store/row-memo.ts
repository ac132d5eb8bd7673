import type { AnyActorRef } from "xstate";
import { ROOT_PATH } from "./actor-rows.js";

/**
 * Serializes only the actors that changed (DESIGN §17). XState snapshots are immutable: an actor that
 * did not step keeps the same snapshot object. A row's key is the snapshot objects of the actors it
 * holds (a child machine's row: that child and everything under it; the root's row: the root and its
 * children that have no row of their own, with theirs). When every object of the key is the one seen
 * when the row was last serialized, its JSON is reused instead of stringified again.
 */
export interface RowMemo {
  /** The JSON of the row at `path`, from the memo when its actors did not change, else from `serialize`. */
  json(path: string, root: AnyActorRef, rowPaths: ReadonlySet<string>, serialize: () => string): string;
  /** Rows taken from the memo and rows serialized, so far. */
  readonly reused: number;
  readonly serialized: number;
}

type Children = Record<string, AnyActorRef | undefined>;

const childrenOf = (snapshot: unknown): Children | undefined => {
  if (typeof snapshot !== "object" || snapshot === null) return undefined;
  const children = (snapshot as { children?: unknown }).children;
  return typeof children === "object" && children !== null ? (children as Children) : undefined;
};

/** Pushes the snapshot of `actor` and of every actor under it, depth first. */
function collectTree(actor: AnyActorRef, into: unknown[]): void {
  const snapshot: unknown = actor.getSnapshot();
  into.push(snapshot);
  const children = childrenOf(snapshot);
  if (!children) return;
  for (const id in children) {
    const child = children[id];
    if (child) collectTree(child, into);
  }
}

/** The snapshot objects the row at `path` is made of. */
function rowKey(path: string, root: AnyActorRef, rowPaths: ReadonlySet<string>): unknown[] | null {
  const key: unknown[] = [];
  const rootSnapshot: unknown = root.getSnapshot();
  const children = childrenOf(rootSnapshot);
  if (path === ROOT_PATH) {
    key.push(rootSnapshot);
    if (children) {
      for (const id in children) {
        const child = children[id];
        if (rowPaths.has(id)) continue;
        key.push(id);
        if (child) collectTree(child, key);
      }
    }
    return key;
  }
  const child = children?.[path];
  if (!child) return null;
  collectTree(child, key);
  return key;
}

const sameKey = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a.length === b.length && a.every((value, index) => value === b[index]);

/**
 * A key as kept in the memo: each snapshot held weakly, so the memo does not keep an actor's old state
 * alive between writes (a collected one no longer matches, which only costs a serialization).
 */
type HeldKey = Array<WeakRef<object> | unknown>;

const hold = (key: readonly unknown[]): HeldKey =>
  key.map((value) => (typeof value === "object" && value !== null ? new WeakRef(value) : value));

const matches = (key: readonly unknown[], held: HeldKey): boolean =>
  key.length === held.length &&
  key.every((value, index) => {
    const kept = held[index];
    return kept instanceof WeakRef ? kept.deref() === value : kept === value;
  });

export function createRowMemo(): RowMemo {
  const memo = new Map<string, { key: HeldKey; json: string }>();
  let reused = 0;
  let serialized = 0;
  return {
    json(path, root, rowPaths, serialize) {
      const key = rowKey(path, root, rowPaths);
      const known = memo.get(path);
      if (key && known && matches(key, known.key)) {
        reused += 1;
        return known.json;
      }
      const json = serialize();
      serialized += 1;
      if (key) memo.set(path, { key: hold(key), json });
      else memo.delete(path);
      return json;
    },
    get reused() {
      return reused;
    },
    get serialized() {
      return serialized;
    },
  };
}

/**
 * The root's persisted snapshot, built again only where actors changed. While the root's own snapshot
 * object is the one seen last time (so are its children), the last persisted root is reused and only
 * the children whose tree changed are persisted again (`getPersistedSnapshot` of the root is deep: it
 * would persist every actor of the system at every write). Anything else persists the whole root.
 */
export interface PersistedMemo {
  persisted(root: AnyActorRef): unknown;
}

interface PersistedChildEntry {
  snapshot: unknown;
}

const isEntry = (value: unknown): value is PersistedChildEntry =>
  typeof value === "object" && value !== null && "snapshot" in value;

/** Whether any child is a machine (its snapshot has context and children), i.e. has a row of its own. */
function hasChildMachine(children: Children): boolean {
  for (const id in children) {
    const snapshot: unknown = children[id]?.getSnapshot();
    if (typeof snapshot === "object" && snapshot !== null && "context" in snapshot && childrenOf(snapshot)) {
      return true;
    }
  }
  return false;
}

export function createPersistedMemo(): PersistedMemo {
  let last: {
    rootSnapshot: unknown;
    keys: Map<string, unknown[]>;
    persisted: Record<string, unknown>;
  } | null = null;
  return {
    persisted(root) {
      const rootSnapshot: unknown = root.getSnapshot();
      const children = childrenOf(rootSnapshot) ?? {};
      const keys = new Map<string, unknown[]>();
      for (const id in children) {
        const child = children[id];
        const key: unknown[] = [];
        if (child) collectTree(child, key);
        keys.set(id, key);
      }
      const previous = last;
      const lastChildren = previous?.persisted.children;
      let persisted: Record<string, unknown> | null = null;
      if (
        previous &&
        previous.rootSnapshot === rootSnapshot &&
        typeof lastChildren === "object" &&
        lastChildren
      ) {
        const entries: Record<string, unknown> = {};
        let complete = true;
        for (const id in children) {
          const entry = (lastChildren as Record<string, unknown>)[id];
          const key = keys.get(id) ?? [];
          const lastKey = previous.keys.get(id);
          const child = children[id];
          if (!isEntry(entry) || !child) {
            complete = false;
            break;
          }
          entries[id] =
            lastKey && sameKey(key, lastKey) ? entry : { ...entry, snapshot: child.getPersistedSnapshot() };
        }
        if (complete) persisted = { ...previous.persisted, children: entries };
      }
      persisted ??= root.getPersistedSnapshot() as Record<string, unknown>;
      // Kept only for a root with child machines (rows of their own): a root without any, such as a
      // hosted lease, is persisted whole at each write anyway, and keeping it would cost memory per actor.
      last = hasChildMachine(children) ? { rootSnapshot, keys, persisted } : null;
      return persisted;
    },
  };
}
