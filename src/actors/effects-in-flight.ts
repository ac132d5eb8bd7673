import type { AgentStore } from "../services/store/index.js";

/**
 * The effects the agent is in the middle of, as `kind key`: its recorded intents that are not done,
 * except backups (they resume anywhere) and the kinds given (the handover's own intent).
 */
export function effectsInFlight(
  store: Pick<AgentStore, "intents">,
  except: readonly string[] = [],
): string[] {
  return store.intents
    .pending()
    .filter((intent) => !intent.kind.startsWith("backup") && !except.includes(intent.kind))
    .map((intent) => `${intent.kind} ${intent.key}`);
}
