/** The alert channels the devnet receives for. */
export const ALERT_CHANNELS = ["webhook", "slack", "telegram"] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/** One message a receiver accepted (what `GET {control}/received/{channel}` lists, oldest first). */
export interface ReceivedMessage {
  /** ISO time it arrived. */
  readonly at: string;
  /** The request's headers, lower-cased (the webhook's HMAC signature is among them). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The parsed body (form-encoded Slack/Telegram bodies decoded to the same JSON). */
  readonly body: unknown;
  /** The body exactly as sent (verify an HMAC over this). */
  readonly raw: string;
  /** Telegram only: the bot token from the URL path. */
  readonly botToken?: string;
}

/** The `receivers` entry of the devnet's endpoints: where to point each alert channel. */
export interface DevnetReceiversInfo {
  /** A generic JSON webhook: POST any JSON. */
  readonly webhook: string;
  /** A Slack incoming-webhook URL (the shape of `https://hooks.slack.com/services/T…/B…/…`). */
  readonly slack: string;
  /** The Bot API base URL used in place of `https://api.telegram.org`: call `{telegram}/bot<token>/sendMessage`. */
  readonly telegram: string;
}

/** What the devnet handle offers for the receivers (also served by the control API). */
export interface AlertReceiversControl {
  received(channel: AlertChannel): readonly ReceivedMessage[];
  /** Forgets what `channel` (default: every channel) received. */
  clearReceived(channel?: AlertChannel): void;
  /** `channel` (default: every channel) answers HTTP 500 to the next `count` requests (default: all until cleared). */
  failWith500(channel?: AlertChannel, count?: number): void;
  clearFaults(): void;
  status(): AlertReceiversStatus;
}

export interface AlertReceiversStatus {
  /** Requests each channel will still fail (`null`: until cleared; absent: healthy). */
  readonly failing: Partial<Record<AlertChannel, number | null>>;
  readonly received: Record<AlertChannel, number>;
}

/** A receiver's answer. */
export interface ReceiverReply {
  readonly status: number;
  readonly contentType: "application/json" | "text/plain; charset=utf-8" | "text/html";
  readonly body: string;
}

/** What a channel's handler made of a request: a reply, and the message to record if it was accepted. */
export interface ReceiverOutcome {
  readonly reply: ReceiverReply;
  readonly accepted?: { readonly body: unknown; readonly botToken?: string };
}

export interface ReceiverRequest {
  readonly method: string;
  /** The path below the channel's prefix. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string;
  readonly raw: string;
}

export const jsonReply = (status: number, body: unknown): ReceiverReply => ({
  status,
  contentType: "application/json",
  body: JSON.stringify(body),
});

export const textReply = (status: number, body: string): ReceiverReply => ({
  status,
  contentType: "text/plain; charset=utf-8",
  body,
});
