/**
 * Schema version 3: a lease record keeps when its services first became ready (so served time and
 * time to ready can be told apart) and the health checks this agent made of it, from which its
 * measured uptime follows when it ends.
 */
export const schemaV3 = `
ALTER TABLE provider_performance ADD COLUMN ready_at INTEGER;
ALTER TABLE provider_performance ADD COLUMN checks_passed INTEGER NOT NULL DEFAULT 0 CHECK (checks_passed >= 0);
ALTER TABLE provider_performance ADD COLUMN checks_total INTEGER NOT NULL DEFAULT 0 CHECK (checks_total >= checks_passed);
`;
