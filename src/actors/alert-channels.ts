import type { Logger } from "../logging/index.js";
import type { AlertToDeliver } from "../machines/agent/agent.types.js";

const severityRank = { low: 0, medium: 1, high: 2, critical: 3 } as const;

export interface AlertChannelsOptions {
  logger: Logger;
  console: boolean;
  webhooks: string[];
  minSeverity: keyof typeof severityRank;
  /** Per-request timeout for webhooks. */
  timeoutMs?: number;
  now?: () => number;
}

/** Where alerts go: the log (console channel) and JSON webhooks. Nostr DMs arrive with the Nostr service. */
export interface AlertChannels {
  names(): string[];
  deliver(alert: AlertToDeliver): Promise<void>;
}

/** The same alert (source, title, message) is sent at most once in this window; every one is still recorded. */
const REPEAT_WINDOW_MS = 10 * 60_000;

export function createAlertChannels(options: AlertChannelsOptions): AlertChannels {
  const log = options.logger.child({ channel: "alerts" });
  const lastSent = new Map<string, number>();
  const now = options.now ?? Date.now;
  return {
    names: () => [...(options.console ? ["console"] : []), ...options.webhooks.map(() => "webhook")],
    async deliver(alert) {
      if (severityRank[alert.severity] < severityRank[options.minSeverity]) return;
      const fingerprint = `${alert.source}\n${alert.title}\n${alert.message}`;
      const sentAt = lastSent.get(fingerprint);
      if (sentAt !== undefined && now() - sentAt < REPEAT_WINDOW_MS) return;
      lastSent.set(fingerprint, now());
      if (options.console) {
        const line = {
          alert: alert.id,
          severity: alert.severity,
          source: alert.source,
          detail: alert.message,
        };
        if (severityRank[alert.severity] >= severityRank.high) log.error(line, alert.title);
        else log.warn(line, alert.title);
      }
      for (const url of options.webhooks) {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(alert),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        if (!response.ok) throw new Error(`webhook ${new URL(url).host} answered ${response.status}`);
      }
    },
  };
}
