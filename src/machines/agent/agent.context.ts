import type { EffectFailure } from "../shared/index.js";
import type { AgentSettings, LoadedIdentity } from "./agent.types.js";

export interface AgentInput {
  settings: AgentSettings;
}

export interface AgentContext {
  settings: AgentSettings;
  loaded: LoadedIdentity | null;
  /** Counts alerts raised, so each gets its own id. */
  alerts: number;
  terminateLeaseOnShutdown: boolean;
  leaseTerminated: boolean;
  /** The deployment the lease closed when it terminated (kept after the lease actor is gone). */
  terminatedDseq: string | null;
  lastError: EffectFailure | null;
}

export function initialAgentContext(input: AgentInput): AgentContext {
  return {
    settings: input.settings,
    loaded: null,
    alerts: 0,
    terminateLeaseOnShutdown: false,
    leaseTerminated: false,
    terminatedDseq: null,
    lastError: null,
  };
}
