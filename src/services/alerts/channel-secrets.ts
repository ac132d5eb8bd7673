import { UsageError } from "../../errors.js";
import { Secret } from "../keys/secret.js";

/** Environment variables that hold alert channel secrets (reserved: never read as settings). */
export const channelSecretEnv = {
  webhookSecret: "AGENT_WEBHOOK_SECRET",
  slackWebhookUrl: "AGENT_SLACK_WEBHOOK_URL",
  telegramBotToken: "AGENT_TELEGRAM_BOT_TOKEN",
} as const;

export interface ChannelSecrets {
  /** Key of the webhook HMAC signature. */
  readonly webhookSecret: Secret<string> | null;
  /** The Slack incoming-webhook URL (its path is the credential). */
  readonly slackWebhookUrl: Secret<string> | null;
  readonly telegramBotToken: Secret<string> | null;
}

/** Telegram bot tokens: `<bot id>:<secret part>`. */
const TELEGRAM_TOKEN = /^\d+:[A-Za-z0-9_-]{1,64}$/;

/** A malformed channel secret in the environment (exit code 2; the message names the variable, never its value). */
export class ChannelSecretError extends UsageError {}

/** The keystore's stored credentials (see `keys set-alert-secret`). */
export type StoredChannelSecrets = Readonly<Partial<Record<keyof ChannelSecrets, Secret<string>>>>;

function secretFrom(
  env: NodeJS.ProcessEnv,
  name: string,
  stored: Secret<string> | undefined,
  forms: (value: string) => string[],
): Secret<string> | null {
  const value = env[name]?.trim() || stored?.reveal().trim();
  if (!value) return null;
  return new Secret(value, forms(value));
}

/**
 * Reads the channel secrets from the environment, else from the keystore's stored ones, each wrapped in a
 * Secret whose spellings are registered for redaction (the Slack URL's path and the bot token on their own
 * as well). Malformed values are refused with the variable's name, never its value.
 */
export function readChannelSecrets(
  env: NodeJS.ProcessEnv = process.env,
  stored: StoredChannelSecrets = {},
): ChannelSecrets {
  const slack = secretFrom(env, channelSecretEnv.slackWebhookUrl, stored.slackWebhookUrl, (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ChannelSecretError(
        `${channelSecretEnv.slackWebhookUrl} is not a URL: set it to the incoming webhook URL Slack gave (https://hooks.slack.com/services/…)`,
      );
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new ChannelSecretError(`${channelSecretEnv.slackWebhookUrl} must be an http(s) URL`);
    return [value, url.pathname, ...url.pathname.split("/").filter((part) => part.length >= 6)];
  });
  const telegram = secretFrom(env, channelSecretEnv.telegramBotToken, stored.telegramBotToken, (value) => {
    if (!TELEGRAM_TOKEN.test(value))
      throw new ChannelSecretError(
        `${channelSecretEnv.telegramBotToken} is not a bot token (<bot id>:<secret>, as @BotFather gives it)`,
      );
    return [value, value.split(":")[1] ?? value, encodeURIComponent(value)];
  });
  const webhook = secretFrom(env, channelSecretEnv.webhookSecret, stored.webhookSecret, (value) => {
    if (value.length < 16)
      throw new ChannelSecretError(
        `${channelSecretEnv.webhookSecret} is too short: use at least 16 random characters`,
      );
    return [value];
  });
  return { webhookSecret: webhook, slackWebhookUrl: slack, telegramBotToken: telegram };
}
