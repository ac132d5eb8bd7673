import { createAlertChannels } from "../actors/alert-channels.js";
import type { AgentConfig } from "../config/index.js";
import type { Logger } from "../logging/index.js";
import { createAlertDispatcher, type RaisedAlert } from "../services/alerts/alert-dispatcher.js";
import { readChannelSecrets } from "../services/alerts/channel-secrets.js";
import type { AgentKeys, KeystoreBackend } from "../services/keys/index.js";
import { nostrSignerOf } from "../services/nostr/index.js";
import type { AgentStore } from "../services/store/index.js";

/**
 * Raises one alert outside the agent's actor system (which is stopped, or not running: a superseded
 * instance, a guardian): written to the store's outbox (idempotent on its id, so a restart does not
 * raise it twice) and sent to the configured channels once. A delivery that fails stays in the store.
 */
export async function raiseStandaloneAlert(o: {
  alert: RaisedAlert;
  config: AgentConfig;
  keys: AgentKeys;
  keystore: KeystoreBackend;
  store: Pick<AgentStore, "alerts">;
  relays: readonly string[];
  logger: Logger;
  now?: () => number;
}): Promise<void> {
  const now = o.now ?? Date.now;
  try {
    const channels = createAlertChannels({
      alerts: o.config.alerts,
      relays: o.relays,
      secrets: readChannelSecrets(process.env, (await o.keystore.load()).alertSecrets ?? {}),
      signer: () => nostrSignerOf(o.keys.nostrKey()),
      logger: o.logger,
      now,
    });
    const dispatcher = createAlertDispatcher({
      alerts: o.store.alerts,
      channels: channels.list,
      retry: channels.retry,
      remindAfterMs: channels.remindAfterMs,
      agentId: o.keys.identity.agentId,
      now,
      logger: o.logger,
    });
    dispatcher.record(o.alert);
    await dispatcher.deliverDue();
  } catch (error) {
    o.logger.error({ alert: o.alert.id, reason: (error as Error).message }, "alert not raised");
  }
}
