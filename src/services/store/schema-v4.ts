/**
 * Schema version 4: the signed Cronos transactions of the treasury's CRO→AKT legs. Each leg (one
 * intent in `intents`) keeps every transaction signed for it: the first, then any replacement with the
 * same nonce and higher fees. They are written before they are sent, so after a crash the same bytes
 * are looked up or sent again, never signed anew with another nonce.
 */
export const schemaV4 = `
CREATE TABLE cronos_txs (
  intent_key TEXT NOT NULL CHECK (length(intent_key) > 0),
  attempt INTEGER NOT NULL CHECK (attempt >= 0),
  nonce INTEGER NOT NULL CHECK (nonce >= 0),
  tx_hash TEXT NOT NULL UNIQUE CHECK (tx_hash GLOB '0x*'),
  raw_tx TEXT NOT NULL CHECK (raw_tx GLOB '0x*'),
  max_fee_per_gas TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (intent_key, attempt)
) STRICT;
`;
