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
  lastError: EffectFailure | null;
}

export function initialAgentContext(input: AgentInput): AgentContext {
  return {
    settings: input.settings,
    loaded: null,
    alerts: 0,
    terminateLeaseOnShutdown: false,
    leaseTerminated: false,
    lastError: null,
  };
}
