import type { AgentVersion } from "../domain/index.js";
import type { Leadership } from "../services/store/index.js";

/**
 * What `/api/status` answers on an instance that does not act (it handed over, was superseded, or
 * stands by after a restart): its leadership at the top level, as before, and the same `leadership`
 * object a running agent answers (generation, state, and where the agent went), so that a client
 * following the agent (`upgrade --wait`, `status --remote`) reads one shape whichever process answers.
 */
export function nonActingStatus(leadership: Leadership, version: AgentVersion) {
  const { generation, state, leader } = leadership;
  return {
    ...leadership,
    leadership: { generation, state, ...(state !== "leading" && leader ? { leader } : {}) },
    version,
  };
}
