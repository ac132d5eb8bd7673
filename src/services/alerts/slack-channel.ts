import type { Secret } from "../keys/secret.js";
import type { AlertChannel, OutgoingSeverity, RateLimitSettings } from "./alert-channel.js";
import { alertHeadline, alertText } from "./alert-text.js";
import { postForDelivery } from "./http-delivery.js";

export interface SlackChannelOptions {
  /** The incoming-webhook URL: its path is the credential. */
  readonly webhookUrl: Secret<string>;
  readonly minSeverity: OutgoingSeverity;
  readonly rateLimit: RateLimitSettings;
  readonly timeoutMs: number;
}

/** A Slack incoming webhook: `{ text, blocks }` with a header block and the message as mrkdwn. */
export function createSlackChannel(options: SlackChannelOptions): AlertChannel {
  return {
    name: "slack",
    minSeverity: options.minSeverity,
    rateLimit: options.rateLimit,
    async send(alert) {
      const body = JSON.stringify({
        text: alertText(alert),
        blocks: [
          { type: "header", text: { type: "plain_text", text: alertHeadline(alert).slice(0, 150) } },
          { type: "section", text: { type: "mrkdwn", text: alert.message.slice(0, 3000) || "(no detail)" } },
          {
            type: "context",
            elements: [
              { type: "mrkdwn", text: `agent ${alert.agentId} · ${alert.source} · alert ${alert.id}` },
            ],
          },
        ],
      });
      await postForDelivery(options.webhookUrl.reveal(), {
        channel: "slack",
        body,
        timeoutMs: options.timeoutMs,
      });
    },
  };
}
