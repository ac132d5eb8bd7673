/** Schema version 1: snapshots, journal and the domain tables. Times are UTC milliseconds since the epoch. */
export const schemaV1 = `
CREATE TABLE snapshots (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  machine_id TEXT NOT NULL,
  machine_version TEXT NOT NULL,
  snapshot_json TEXT NOT NULL CHECK (json_valid(snapshot_json)),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX snapshots_by_machine ON snapshots (machine_id, seq);

CREATE TABLE journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  type TEXT NOT NULL,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  received_at INTEGER NOT NULL,
  snapshot_seq INTEGER
) STRICT;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
  SELECT RAISE(ABORT, 'journal is append-only');
END;
CREATE TRIGGER journal_no_rewrite BEFORE UPDATE ON journal
WHEN NEW.id IS NOT OLD.id OR NEW.source IS NOT OLD.source OR NEW.target IS NOT OLD.target
  OR NEW.type IS NOT OLD.type OR NEW.payload_json IS NOT OLD.payload_json
  OR NEW.received_at IS NOT OLD.received_at OR OLD.snapshot_seq IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'journal is append-only: only an unset snapshot_seq may be filled in');
END;

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  title TEXT NOT NULL,
  message TEXT NOT NULL,
  metadata_json TEXT NOT NULL CHECK (json_valid(metadata_json)),
  channels_json TEXT NOT NULL CHECK (json_valid(channels_json)),
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  acknowledged_at INTEGER
) STRICT;
CREATE INDEX alerts_by_time ON alerts (created_at);
CREATE INDEX alerts_undelivered ON alerts (created_at) WHERE delivered_at IS NULL;

CREATE TABLE children (
  id TEXT PRIMARY KEY,
  addresses_json TEXT NOT NULL CHECK (json_valid(addresses_json)),
  role TEXT NOT NULL,
  region TEXT,
  dseq TEXT,
  provider TEXT,
  funded_json TEXT NOT NULL CHECK (json_valid(funded_json)),
  state TEXT NOT NULL,
  last_heartbeat_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE provider_performance (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL,
  dseq TEXT NOT NULL,
  gseq INTEGER NOT NULL,
  oseq INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  outcome TEXT CHECK (outcome IN ('success', 'failed_deploy', 'degraded', 'offline', 'reclaimed', 'closed')),
  measured_uptime REAL CHECK (measured_uptime BETWEEN 0 AND 1),
  issues_json TEXT NOT NULL CHECK (json_valid(issues_json)),
  UNIQUE (provider, dseq, gseq, oseq, started_at),
  CHECK ((ended_at IS NULL) = (outcome IS NULL))
) STRICT;
CREATE INDEX provider_performance_by_lease ON provider_performance (dseq, gseq, oseq, provider);

CREATE TABLE spending (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL
    CHECK (kind IN ('escrow_deposit', 'deployment_deposit', 'mint_act', 'swap', 'child_funding', 'fee')),
  denom TEXT NOT NULL CHECK (length(denom) > 0),
  amount TEXT NOT NULL CHECK (amount <> '' AND amount NOT GLOB '*[^0-9]*' AND (amount = '0' OR amount NOT GLOB '0*')),
  tx_hash TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX spending_by_time ON spending (created_at);

CREATE TABLE intents (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  tx_hash TEXT,
  tx_bytes BLOB,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX intents_pending ON intents (kind, created_at) WHERE state = 'pending';
`;
