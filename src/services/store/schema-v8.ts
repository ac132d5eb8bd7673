/**
 * Schema version 8: the family registry (DESIGN §13). A child now has its BIP-85 derivation index
 * (unique: the same index is the same child, so a birth that is run again finds its row), the
 * generation of its leadership (a resurrection starts a new one), and the budget its parent granted
 * (`{ limitUact, feeLimitUakt, expiresAt }`). Rows from before keep a null index and budget. A state
 * outside the registry's list (only test data could hold one) becomes `failed`, so every row reads.
 */
export const schemaV8 = `
ALTER TABLE children ADD COLUMN derivation_index INTEGER CHECK (derivation_index IS NULL OR derivation_index >= 0);
ALTER TABLE children ADD COLUMN generation INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0);
ALTER TABLE children ADD COLUMN budget_json TEXT CHECK (budget_json IS NULL OR json_valid(budget_json));
CREATE UNIQUE INDEX children_by_index ON children (derivation_index) WHERE derivation_index IS NOT NULL;
UPDATE children SET state = 'failed'
  WHERE state NOT IN ('born', 'funded', 'deploying', 'active', 'silent', 'resurrecting', 'retiring', 'retired', 'failed');
`;
