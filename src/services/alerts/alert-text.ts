import type { OutgoingAlert } from "./alert-channel.js";

/** The first line a person reads: `[HIGH] Chain unreachable` or `[RESOLVED] Chain reachable again`. */
export function alertHeadline(alert: OutgoingAlert): string {
  const tag = alert.resolves ? "RESOLVED" : alert.severity.toUpperCase();
  return `[${tag}] ${alert.title}`;
}

/** The whole alert as plain text (Telegram, Nostr DMs, Slack's fallback `text`). */
export function alertText(alert: OutgoingAlert): string {
  return [
    alertHeadline(alert),
    alert.message,
    `agent ${alert.agentId} · ${alert.source} · ${new Date(alert.raisedAt).toISOString()} · alert ${alert.id}`,
  ].join("\n");
}

/** The JSON body of the generic webhook (documented in the README). */
export function alertJson(alert: OutgoingAlert): Record<string, unknown> {
  return {
    id: alert.id,
    agentId: alert.agentId,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    source: alert.source,
    incident: alert.incident,
    resolved: alert.resolves,
    raisedAt: new Date(alert.raisedAt).toISOString(),
  };
}
