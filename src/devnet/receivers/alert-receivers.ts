import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackHttpServer, readBody, sendJson } from "../http-utils.js";
import { handleJsonWebhook, webhookInternalError } from "./json-webhook.js";
import {
  ALERT_CHANNELS,
  type AlertChannel,
  type AlertReceiversControl,
  type AlertReceiversStatus,
  type DevnetReceiversInfo,
  type ReceivedMessage,
  type ReceiverOutcome,
  type ReceiverReply,
  type ReceiverRequest,
} from "./receiver-types.js";
import { handleSlackWebhook, SLACK_WEBHOOK_PATH, slackInternalError } from "./slack-webhook.js";
import { TelegramBotApi, telegramInternalError } from "./telegram-bot-api.js";

const internalError: Record<AlertChannel, () => ReceiverReply> = {
  webhook: webhookInternalError,
  slack: slackInternalError,
  telegram: telegramInternalError,
};

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/**
 * Stand-ins for the services alerts are sent to, on one loopback port: a JSON webhook under `/webhook`, a
 * Slack incoming webhook under `/slack`, the Telegram Bot API under `/telegram`. Each records what it
 * accepted; a channel can be made to answer 500.
 */
export class AlertReceivers implements AlertReceiversControl {
  private readonly http = new LoopbackHttpServer((req, res) => this.handle(req, res));
  private readonly telegram = new TelegramBotApi();
  private readonly records: Record<AlertChannel, ReceivedMessage[]> = {
    webhook: [],
    slack: [],
    telegram: [],
  };
  /** Requests left to fail per channel; null = until cleared. */
  private readonly faults = new Map<AlertChannel, number | null>();
  private base = "";

  async start(port = 0): Promise<DevnetReceiversInfo> {
    this.base = await this.http.start(port);
    return this.info;
  }

  get info(): DevnetReceiversInfo {
    return {
      webhook: `${this.base}/webhook`,
      slack: `${this.base}/slack${SLACK_WEBHOOK_PATH}`,
      telegram: `${this.base}/telegram`,
    };
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  received(channel: AlertChannel): readonly ReceivedMessage[] {
    return [...this.records[channel]];
  }

  clearReceived(channel?: AlertChannel): void {
    for (const name of channel ? [channel] : ALERT_CHANNELS) this.records[name] = [];
  }

  failWith500(channel?: AlertChannel, count?: number): void {
    for (const name of channel ? [channel] : ALERT_CHANNELS) this.faults.set(name, count ?? null);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  status(): AlertReceiversStatus {
    return {
      failing: Object.fromEntries(this.faults),
      received: {
        webhook: this.records.webhook.length,
        slack: this.records.slack.length,
        telegram: this.records.telegram.length,
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const channel = ALERT_CHANNELS.find((c) => url.pathname === `/${c}` || url.pathname.startsWith(`/${c}/`));
    if (!channel) {
      sendJson(res, 404, { error: `no receiver at ${url.pathname}`, receivers: this.info });
      return;
    }
    const raw = (await readBody(req)).toString("utf8");
    const outcome = this.takeFault(channel)
      ? { reply: internalError[channel]() }
      : this.route(channel, {
          method: req.method ?? "GET",
          path: url.pathname.slice(channel.length + 1),
          query: url.searchParams,
          contentType: req.headers["content-type"] ?? "",
          raw,
        });
    if (outcome.accepted) {
      this.records[channel].push({
        at: new Date().toISOString(),
        headers: headersOf(req),
        body: outcome.accepted.body,
        raw,
        ...(outcome.accepted.botToken !== undefined ? { botToken: outcome.accepted.botToken } : {}),
      });
    }
    const { status, contentType, body } = outcome.reply;
    res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  private route(channel: AlertChannel, request: ReceiverRequest): ReceiverOutcome {
    switch (channel) {
      case "webhook":
        return handleJsonWebhook(request);
      case "slack":
        return handleSlackWebhook(request);
      case "telegram":
        return this.telegram.handle(request);
    }
  }

  /** Consumes one use of the channel's 500 fault, if any. */
  private takeFault(channel: AlertChannel): boolean {
    if (!this.faults.has(channel)) return false;
    const left = this.faults.get(channel) ?? null;
    if (left !== null) {
      if (left <= 1) this.faults.delete(channel);
      else this.faults.set(channel, left - 1);
    }
    return true;
  }
}
