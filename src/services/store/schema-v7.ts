/**
 * Schema version 7: one row per actor (DESIGN §17). A persisted machine is its root's row (`actor_path`
 * '') and one row per child machine of the root, each rewritten in place only when that actor changed.
 * `seq` is the write that last changed the row; the machine's state is as of its rows' highest seq.
 * The `snapshots` table keeps the history written before this version and is read when a machine has
 * no rows here.
 */
export const schemaV7 = `
CREATE TABLE actor_snapshots (
  machine_id TEXT NOT NULL,
  actor_path TEXT NOT NULL,
  seq INTEGER NOT NULL,
  machine_version TEXT NOT NULL,
  snapshot_json TEXT NOT NULL CHECK (json_valid(snapshot_json)),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (machine_id, actor_path)
) STRICT;
`;
