import { type ActivationRefusals, describeRefusals } from "../services/activation/index.js";
import type { RaisedAlert } from "../services/alerts/alert-dispatcher.js";

/** At most one alert about refused activations per generation and hour: a flood of bad POSTs is one incident. */
const ALERT_BUCKET_MS = 60 * 60 * 1000;

/**
 * The alert a leader raises about activation attempts its instance refused (a wrong nonce, a replay,
 * another agent's keystore: DESIGN §12), or null when there were none. Its id changes only with the
 * generation and the hour, so a restart or a burst of refusals raises it once.
 */
export function refusedActivationAlert(
  refusals: ActivationRefusals,
  generation: number,
  now: number,
): RaisedAlert | null {
  if (refusals.count === 0) return null;
  const latest = refusals.latest.at(-1);
  const bucket = Math.floor(Date.parse(latest?.at ?? new Date(now).toISOString()) / ALERT_BUCKET_MS);
  return {
    id: `activation-refused-g${generation}-${bucket}`,
    severity: "high",
    title: "Activation attempts refused",
    message:
      `This agent's instance (generation ${generation}) refused ${refusals.count} activation attempt(s); ` +
      `none was applied. Someone who is not this agent tried to activate or replay it:\n${describeRefusals(refusals)}`,
    source: "leadership",
    incident: `activation-refused-g${generation}`,
  };
}
