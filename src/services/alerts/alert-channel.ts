export const alertSeverityRank = { low: 0, medium: 1, high: 2, critical: 3 } as const;
export type OutgoingSeverity = keyof typeof alertSeverityRank;

/** An alert as the channels send it (built from the outbox row; never holds a secret). */
export interface OutgoingAlert {
  readonly id: string;
  readonly severity: OutgoingSeverity;
  readonly title: string;
  readonly message: string;
  readonly source: string;
  /** The incident key (source/incident) it belongs to. */
  readonly incident: string;
  /** A "resolved" notice: the incident is over. */
  readonly resolves: boolean;
  readonly agentId: string;
  /** When it was raised (ms since the epoch). */
  readonly raisedAt: number;
}

export interface RateLimitSettings {
  /** Sent at once before the limit applies. */
  readonly burst: number;
  /** Refill rate of the bucket. */
  readonly perHour: number;
}

/** One way of reaching the operator. */
export interface AlertChannel {
  /** Unique per configured channel (`webhook:1`, `slack`, `telegram`, `nostr`, `console`). */
  readonly name: string;
  /** Alerts below this severity are not sent here. */
  readonly minSeverity: OutgoingSeverity;
  readonly rateLimit: RateLimitSettings;
  /** Resolves once the channel accepted it; throws a DeliveryError (no secret in its message) otherwise. */
  send(alert: OutgoingAlert): Promise<void>;
}

/** A channel refused or could not take an alert. The message never holds a URL's secret path or a token. */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
}

export function routesTo(channel: Pick<AlertChannel, "minSeverity">, severity: OutgoingSeverity): boolean {
  return alertSeverityRank[severity] >= alertSeverityRank[channel.minSeverity];
}
