import type { Secret } from "../keys/secret.js";
import type { AlertChannel, OutgoingSeverity, RateLimitSettings } from "./alert-channel.js";
import { alertJson } from "./alert-text.js";
import { postForDelivery } from "./http-delivery.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from "./webhook-signature.js";

export interface WebhookChannelOptions {
  readonly name: string;
  readonly url: string;
  /** Without one the body goes unsigned (the runtime warns at start). */
  readonly secret: Secret<string> | null;
  readonly minSeverity: OutgoingSeverity;
  readonly rateLimit: RateLimitSettings;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/** A generic JSON webhook: POST the alert as JSON, signed with HMAC-SHA256 over `<timestamp>.<body>`. */
export function createWebhookChannel(options: WebhookChannelOptions): AlertChannel {
  return {
    name: options.name,
    minSeverity: options.minSeverity,
    rateLimit: options.rateLimit,
    async send(alert) {
      const body = JSON.stringify(alertJson(alert));
      const headers: Record<string, string> = {};
      if (options.secret) {
        const timestamp = Math.floor(options.now() / 1000);
        headers[TIMESTAMP_HEADER] = String(timestamp);
        headers[SIGNATURE_HEADER] = webhookSignature(options.secret.reveal(), timestamp, body);
      }
      await postForDelivery(options.url, {
        channel: options.name,
        headers,
        body,
        timeoutMs: options.timeoutMs,
      });
    },
  };
}
