/**
 * One row per actor (DESIGN §17): a root's persisted snapshot is cut into its own row (path '') and
 * one row per child machine of the root, so a write rewrites only the actors that changed. A child's
 * place in its parent's row holds a reference `{ "$row": path }`.
 */

/** A row of one persisted machine: `path` '' is the root, otherwise the id of a child machine. */
export interface ActorRow {
  readonly path: string;
  readonly json: string;
}

export const ROOT_PATH = "";

type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A child machine's persisted snapshot (as opposed to a promise's or a callback's): it has context and children. */
const isMachineSnapshot = (value: unknown): value is JsonRecord =>
  isRecord(value) && "context" in value && isRecord(value.children);

const isReference = (value: unknown): value is { $row: string } =>
  isRecord(value) && typeof value.$row === "string" && Object.keys(value).length === 1;

/** Cuts a root's persisted snapshot into rows (values, not yet serialized), root first. */
export function splitIntoRows(persisted: unknown): Array<{ path: string; value: unknown }> {
  if (!isRecord(persisted) || !isRecord(persisted.children)) return [{ path: ROOT_PATH, value: persisted }];
  const rows: Array<{ path: string; value: unknown }> = [];
  const children: JsonRecord = {};
  for (const [id, entry] of Object.entries(persisted.children)) {
    if (isRecord(entry) && isMachineSnapshot(entry.snapshot)) {
      rows.push({ path: id, value: entry.snapshot });
      children[id] = { ...entry, snapshot: { $row: id } };
    } else {
      children[id] = entry;
    }
  }
  return [{ path: ROOT_PATH, value: { ...persisted, children } }, ...rows];
}

/** Puts a machine's rows back together into the JSON text of its root's persisted snapshot. */
export function assembleRows(rows: readonly ActorRow[], machineId: string): string {
  const byPath = new Map(rows.map((row) => [row.path, row.json]));
  const rootJson = byPath.get(ROOT_PATH);
  if (rootJson === undefined) throw new Error(`machine "${machineId}" has actor rows but no root row`);
  const root = JSON.parse(rootJson) as unknown;
  if (!isRecord(root) || !isRecord(root.children)) return rootJson;
  const children: JsonRecord = {};
  for (const [id, entry] of Object.entries(root.children)) {
    if (isRecord(entry) && isReference(entry.snapshot)) {
      const json = byPath.get(entry.snapshot.$row);
      if (json === undefined) throw new Error(`machine "${machineId}" lacks the row of its child "${id}"`);
      children[id] = { ...entry, snapshot: JSON.parse(json) as unknown };
    } else {
      children[id] = entry;
    }
  }
  return JSON.stringify({ ...root, children });
}
