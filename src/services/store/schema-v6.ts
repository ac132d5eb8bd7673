/**
 * Schema version 6: leadership (DESIGN §12). One row: which generation of the agent this store belongs
 * to and whether it acts. A bootstrap that handed over stays `handed_over` for good (restarting it never
 * resumes acting); `handing_over` is the intent recorded before the agent is drained and the new
 * instance activated, so a crash in between resumes the handover and not the agent.
 */
export const schemaV6 = `
CREATE TABLE leadership (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL CHECK (generation >= 0),
  state TEXT NOT NULL CHECK (state IN ('leading', 'handing_over', 'handed_over', 'superseded')),
  leader_json TEXT CHECK (leader_json IS NULL OR json_valid(leader_json)),
  updated_at INTEGER NOT NULL
);
`;
