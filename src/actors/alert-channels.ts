import type { AgentConfig } from "../config/index.js";
import { UsageError } from "../errors.js";
import type { Logger } from "../logging/index.js";
import type { AlertChannel, RateLimitSettings } from "../services/alerts/alert-channel.js";
import type { RetrySettings } from "../services/alerts/alert-dispatcher.js";
import type { ChannelSecrets } from "../services/alerts/channel-secrets.js";
import { channelSecretEnv } from "../services/alerts/channel-secrets.js";
import { createConsoleChannel } from "../services/alerts/console-channel.js";
import { createNostrDmChannel } from "../services/alerts/nostr-dm-channel.js";
import { createSlackChannel } from "../services/alerts/slack-channel.js";
import { createTelegramChannel } from "../services/alerts/telegram-channel.js";
import { createWebhookChannel } from "../services/alerts/webhook-channel.js";
import type { NostrSigner } from "../services/nostr/nostr-signer.js";

/** Where alerts go and how hard the outbox tries. */
export interface AlertChannels {
  readonly list: readonly AlertChannel[];
  readonly retry: RetrySettings;
  /** An incident still open this long after its last alert is alerted again. */
  readonly remindAfterMs: number;
}

/** No channel at all (hosts and tests that send nothing). */
export const noAlertChannels: AlertChannels = {
  list: [],
  retry: { maxAttempts: 1, baseMs: 1_000, capMs: 1_000 },
  remindAfterMs: 86_400_000,
};

export interface AlertChannelsOptions {
  readonly alerts: AgentConfig["alerts"];
  /** Relays the Nostr DMs go to. */
  readonly relays: readonly string[];
  readonly secrets: ChannelSecrets;
  /** The agent's current Nostr key (read at each send: the identity key may rotate). */
  readonly signer: () => NostrSigner;
  readonly logger: Logger;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** A channel set up halfway (a chat id without its token, DMs without a relay): exit code 2 at start. */
export class AlertChannelSettingError extends UsageError {}

/** Builds every configured channel from the `alerts.*` settings and the secrets in the environment. */
export function createAlertChannels(options: AlertChannelsOptions): AlertChannels {
  const { alerts, secrets, logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const common = (channel: { minSeverity?: AlertChannel["minSeverity"]; rateLimit?: RateLimitSettings }) => ({
    minSeverity: channel.minSeverity ?? alerts.minSeverity,
    rateLimit: channel.rateLimit ?? alerts.rateLimit,
  });
  const list: AlertChannel[] = [];
  if (alerts.console) list.push(createConsoleChannel({ logger, ...common(alerts.consoleChannel) }));
  if (alerts.webhooks.length > 0 && !secrets.webhookSecret) {
    logger.warn(
      `alert webhooks are sent unsigned: set ${channelSecretEnv.webhookSecret} to sign them (X-Agent-Signature)`,
    );
  }
  alerts.webhooks.forEach((url, index) => {
    list.push(
      createWebhookChannel({
        name: alerts.webhooks.length === 1 ? "webhook" : `webhook:${index + 1}`,
        url,
        secret: secrets.webhookSecret,
        ...common(alerts.webhook),
        timeoutMs,
        now,
      }),
    );
  });
  if (secrets.slackWebhookUrl) {
    list.push(
      createSlackChannel({ webhookUrl: secrets.slackWebhookUrl, ...common(alerts.slack), timeoutMs }),
    );
  }
  if (alerts.telegram.chatId !== undefined) {
    if (!secrets.telegramBotToken) {
      throw new AlertChannelSettingError(
        `alerts.telegram.chatId is set but ${channelSecretEnv.telegramBotToken} is not: set the bot token in the environment, or unset the chat id`,
      );
    }
    list.push(
      createTelegramChannel({
        apiBase: alerts.telegram.apiBase,
        botToken: secrets.telegramBotToken,
        chatId: alerts.telegram.chatId,
        ...common(alerts.telegram),
        timeoutMs,
      }),
    );
  } else if (secrets.telegramBotToken) {
    logger.warn(
      `${channelSecretEnv.telegramBotToken} is set but alerts.telegram.chatId is not: no Telegram alerts`,
    );
  }
  if (alerts.nostr.npubs.length > 0) {
    if (options.relays.length === 0) {
      throw new AlertChannelSettingError(
        "alerts.nostr.npubs is set but there is no relay to send the DMs to: set nostr.relays (wss://…)",
      );
    }
    for (const npub of alerts.nostr.npubs) {
      list.push(
        createNostrDmChannel({
          npub,
          signer: options.signer,
          relays: options.relays,
          ...common(alerts.nostr),
          timeoutMs,
        }),
      );
    }
  }
  return {
    list,
    retry: { maxAttempts: alerts.maxAttempts, baseMs: alerts.retryBaseMs, capMs: alerts.retryCapMs },
    remindAfterMs: alerts.remindAfterMs,
  };
}
