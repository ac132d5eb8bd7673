/**
 * Schema version 9: leadership states for upgrades (issue 18). `canary`: an instance activated to try a
 * new version; it holds the agent's state but does not act. `standby`: the old instance after an
 * upgrade's handover; it does not act, and may take the agent back within the rollback window. SQLite
 * cannot change a CHECK constraint in place, so the one-row table is copied into a new one.
 */
export const schemaV9 = `
CREATE TABLE leadership_v9 (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL CHECK (generation >= 0),
  state TEXT NOT NULL
    CHECK (state IN ('leading', 'handing_over', 'handed_over', 'superseded', 'canary', 'standby')),
  leader_json TEXT CHECK (leader_json IS NULL OR json_valid(leader_json)),
  updated_at INTEGER NOT NULL
);
INSERT INTO leadership_v9 (id, generation, state, leader_json, updated_at)
  SELECT id, generation, state, leader_json, updated_at FROM leadership;
DROP TABLE leadership;
ALTER TABLE leadership_v9 RENAME TO leadership;
`;
