import type { AgentServices } from "../actors/agent-services.js";
import { type AlertChannels, createAlertChannels } from "../actors/alert-channels.js";
import type { AgentConfig } from "../config/index.js";
import type { Logger } from "../logging/index.js";
import { readChannelSecrets, type StoredChannelSecrets } from "../services/alerts/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import { createAgentAnnouncer, nostrSignerOf } from "../services/nostr/index.js";

export interface VoiceSetup {
  readonly relays: readonly string[];
  readonly channels: AlertChannels;
  readonly announcer: AgentServices["announcer"];
}

/** `nostr.relays`, or the network's own relay (the devnet's) when none is set. */
export function nostrRelaysOf(config: AgentConfig, networkRelay: string | undefined): string[] {
  if (config.nostr.relays.length > 0) return [...config.nostr.relays];
  return networkRelay ? [networkRelay] : [];
}

/**
 * How the agent speaks: its alert channels (settings plus the secrets in the environment) and, when
 * there is a relay and heartbeats are on, its announcer (heartbeats, relay list).
 */
export function setUpVoice(options: {
  config: AgentConfig;
  keys: AgentKeys;
  logger: Logger;
  networkRelay: string | undefined;
  now: () => number;
  env?: NodeJS.ProcessEnv;
  /** Credentials kept in the keystore; the environment's variables override them. */
  storedSecrets?: StoredChannelSecrets;
}): VoiceSetup {
  const { config, keys, logger, now } = options;
  const relays = nostrRelaysOf(config, options.networkRelay);
  const signer = () => nostrSignerOf(keys.nostrKey());
  const channels = createAlertChannels({
    alerts: config.alerts,
    relays,
    secrets: readChannelSecrets(options.env, options.storedSecrets),
    signer,
    logger,
    now,
  });
  if (!config.heartbeat.enabled || relays.length === 0) {
    if (config.heartbeat.enabled) logger.info("no Nostr relay: heartbeats are off (set nostr.relays)");
    return { relays, channels, announcer: undefined };
  }
  return {
    relays,
    channels,
    announcer: {
      publisher: createAgentAnnouncer({ relays, signer, timeoutMs: config.nostr.publishTimeoutMs, now }),
      heartbeatIntervalMs: config.heartbeat.intervalMs,
    },
  };
}
