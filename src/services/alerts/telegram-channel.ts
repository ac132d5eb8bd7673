import type { Secret } from "../keys/secret.js";
import {
  type AlertChannel,
  DeliveryError,
  type OutgoingSeverity,
  type RateLimitSettings,
} from "./alert-channel.js";
import { alertText } from "./alert-text.js";
import { postForDelivery } from "./http-delivery.js";

/** Telegram refuses longer messages. */
const MAX_TEXT = 4096;

export interface TelegramChannelOptions {
  /** `https://api.telegram.org` (or the devnet's stand-in). */
  readonly apiBase: string;
  readonly botToken: Secret<string>;
  readonly chatId: string;
  readonly minSeverity: OutgoingSeverity;
  readonly rateLimit: RateLimitSettings;
  readonly timeoutMs: number;
}

/** The Telegram Bot API: `POST {base}/bot<token>/sendMessage { chat_id, text }`; the token never reaches an error. */
export function createTelegramChannel(options: TelegramChannelOptions): AlertChannel {
  const base = options.apiBase.replace(/\/+$/, "");
  return {
    name: "telegram",
    minSeverity: options.minSeverity,
    rateLimit: options.rateLimit,
    async send(alert) {
      const url = `${base}/bot${options.botToken.reveal()}/sendMessage`;
      const body = JSON.stringify({ chat_id: options.chatId, text: alertText(alert).slice(0, MAX_TEXT) });
      const answer = await postForDelivery(url, { channel: "telegram", body, timeoutMs: options.timeoutMs });
      let ok = false;
      try {
        ok = (JSON.parse(answer) as { ok?: unknown }).ok === true;
      } catch {
        // not JSON: refused below
      }
      if (!ok) throw new DeliveryError("telegram: sendMessage did not answer ok");
    },
  };
}
