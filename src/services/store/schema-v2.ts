/**
 * Schema version 2: `escrow_refund` joins the spending kinds. The escrow remainder a closed
 * deployment gives back is recorded as a credit (a positive amount of a credit kind, see
 * `creditKinds`), so that deposits, which count as committed spend, are given back to the daily cap.
 * SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows.
 */
export const schemaV2 = `
CREATE TABLE spending_v2 (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL
    CHECK (kind IN ('escrow_deposit', 'deployment_deposit', 'mint_act', 'swap', 'child_funding', 'fee', 'escrow_refund')),
  denom TEXT NOT NULL CHECK (length(denom) > 0),
  amount TEXT NOT NULL CHECK (amount <> '' AND amount NOT GLOB '*[^0-9]*' AND (amount = '0' OR amount NOT GLOB '0*')),
  tx_hash TEXT,
  created_at INTEGER NOT NULL
) STRICT;
INSERT INTO spending_v2 (key, kind, denom, amount, tx_hash, created_at)
  SELECT key, kind, denom, amount, tx_hash, created_at FROM spending;
DROP TABLE spending;
ALTER TABLE spending_v2 RENAME TO spending;
CREATE INDEX spending_by_time ON spending (created_at);
`;
