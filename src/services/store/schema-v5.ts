/**
 * Schema version 5: alert delivery survives restarts. An alert row names its incident (one alert per
 * incident while it is open; a resolving notice closes it), says why it was not sent when it was held
 * back (`suppressed`: a repeat of an open incident, or a resolution of none), and keeps its delivery's
 * progress: the channels already reached, attempts made, when to try again, the last error (redacted),
 * and when it was given up.
 */
export const schemaV5 = `
ALTER TABLE alerts ADD COLUMN incident TEXT;
ALTER TABLE alerts ADD COLUMN resolves INTEGER NOT NULL DEFAULT 0 CHECK (resolves IN (0, 1));
ALTER TABLE alerts ADD COLUMN suppressed TEXT;
ALTER TABLE alerts ADD COLUMN sent_channels_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sent_channels_json));
ALTER TABLE alerts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE alerts ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE alerts ADD COLUMN last_error TEXT;
ALTER TABLE alerts ADD COLUMN failed_at INTEGER;
CREATE INDEX alerts_by_incident ON alerts (incident, created_at) WHERE incident IS NOT NULL;
`;
