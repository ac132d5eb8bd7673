import { exponentialBackoffMs, fullBucket, type TokenBucketState, takeToken } from "../../domain/index.js";
import type { Logger } from "../../logging/index.js";
import type { AlertRepository, AlertSuppression, StoredAlert } from "../store/alert-repository.js";
import { type AlertChannel, type OutgoingAlert, type OutgoingSeverity, routesTo } from "./alert-channel.js";

/** An alert as a machine raised it. */
export interface RaisedAlert {
  readonly id: string;
  readonly severity: OutgoingSeverity;
  readonly title: string;
  readonly message: string;
  readonly source: string;
  readonly incident?: string;
  readonly resolves?: boolean;
}

export interface RetrySettings {
  /** Attempts per alert before it is given up (logged, kept in the store with its last error). */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly capMs: number;
}

export interface AlertDispatcherOptions {
  readonly alerts: AlertRepository;
  readonly channels: readonly AlertChannel[];
  readonly retry: RetrySettings;
  /** An open incident's repeat is sent again (as a reminder) once its last alert is this old. */
  readonly remindAfterMs: number;
  readonly agentId: string;
  readonly now: () => number;
  readonly logger: Logger;
}

export interface AlertDispatcher {
  /** Writes the alert's row (idempotent on its id): its incident, whether it is held back, its channels. */
  record(alert: RaisedAlert): StoredAlert;
  /** Sends every alert that is due to the channels it has not reached; resolves with the next time one is due. */
  deliverDue(): Promise<number | null>;
}

/** `health/chain-unreachable`: the source and the alert's incident (or its title). */
export function incidentKey(alert: Pick<RaisedAlert, "source" | "incident" | "title">): string {
  return `${alert.source}/${alert.incident ?? alert.title}`;
}

/**
 * The outbox's delivery rules (DESIGN §16): one alert per incident (repeats while it is open are recorded,
 * not sent, until `remindAfterMs` has passed since it was last sent; a resolving notice goes where the
 * opening alert went), routing by each channel's minimum
 * severity, a token bucket per channel (an alert over the limit waits for its turn), and retries with
 * exponential backoff whose progress lives in the alert's row, so a restart carries on where it was.
 */
export function createAlertDispatcher(options: AlertDispatcherOptions): AlertDispatcher {
  const { alerts, channels, retry, now } = options;
  const log = options.logger.child({ actor: "alerts" });
  const byName = new Map(channels.map((channel) => [channel.name, channel]));
  const buckets = new Map<string, TokenBucketState>();

  const outgoing = (row: StoredAlert): OutgoingAlert => ({
    id: row.id,
    severity: row.severity,
    title: row.title,
    message: row.message,
    source: String(row.metadata.source ?? "agent"),
    incident: row.incident ?? `${String(row.metadata.source ?? "agent")}/${row.title}`,
    resolves: row.resolves,
    agentId: options.agentId,
    raisedAt: row.createdAt,
  });

  const take = (channel: AlertChannel, at: number) => {
    const decision = takeToken(
      buckets.get(channel.name) ?? fullBucket(channel.rateLimit, at),
      channel.rateLimit,
      at,
    );
    buckets.set(channel.name, decision.state);
    return decision;
  };

  const deliverOne = async (row: StoredAlert): Promise<void> => {
    const at = now();
    const remaining = row.channels.filter((name) => !row.sentChannels.includes(name) && byName.has(name));
    const sent = [...row.sentChannels];
    const errors: string[] = [];
    let waitUntil = Number.POSITIVE_INFINITY;
    const sending: Promise<void>[] = [];
    for (const name of remaining) {
      const channel = byName.get(name)!;
      const decision = take(channel, at);
      if (!decision.allowed) {
        waitUntil = Math.min(waitUntil, decision.retryAt);
        continue;
      }
      sending.push(
        channel.send(outgoing(row)).then(
          () => void sent.push(name),
          (error: unknown) => void errors.push(error instanceof Error ? error.message : String(error)),
        ),
      );
    }
    await Promise.all(sending);
    const done = remaining.every((name) => sent.includes(name));
    if (done) {
      alerts.recordProgress(row.id, {
        sentChannels: sent,
        attempts: row.attempts + 1,
        nextAttemptAt: null,
        lastError: null,
      });
      alerts.markDelivered(row.id, now());
      return;
    }
    if (errors.length === 0) {
      // Only the rate limit held it back: not a failed attempt.
      alerts.recordProgress(row.id, { ...row, sentChannels: sent, nextAttemptAt: waitUntil });
      return;
    }
    const attempts = row.attempts + 1;
    const lastError = errors.join("; ");
    if (attempts >= retry.maxAttempts) {
      alerts.recordProgress(row.id, { sentChannels: sent, attempts, nextAttemptAt: null, lastError });
      alerts.markFailed(row.id, now(), lastError);
      log.error(
        { alert: row.id, attempts, error: lastError },
        "alert delivery given up after the last attempt",
      );
      return;
    }
    const backoff = exponentialBackoffMs(attempts, { baseMs: retry.baseMs, capMs: retry.capMs });
    const nextAttemptAt = Math.min(now() + backoff, waitUntil);
    alerts.recordProgress(row.id, { sentChannels: sent, attempts, nextAttemptAt, lastError });
    log.warn(
      { alert: row.id, attempts, retryInMs: nextAttemptAt - now(), error: lastError },
      "alert delivery failed; retrying",
    );
  };

  return {
    record(alert) {
      const existing = alerts.get(alert.id);
      if (existing) return existing;
      const incident = incidentKey(alert);
      const latest = alerts.latestOfIncident(incident);
      const open = latest !== undefined && !latest.resolves;
      const remind = open && now() - latest.createdAt >= options.remindAfterMs;
      let suppressed: AlertSuppression | undefined;
      if (alert.resolves) suppressed = open ? undefined : "nothing_to_resolve";
      else suppressed = open && !remind ? "repeat" : undefined;
      // A resolved notice goes wherever its incident's alert went, whatever its own severity.
      const routed =
        suppressed !== undefined
          ? []
          : alert.resolves && latest
            ? latest.channels.filter((name) => byName.has(name))
            : channels.filter((channel) => routesTo(channel, alert.severity)).map((channel) => channel.name);
      return alerts.raise({
        id: alert.id,
        severity: alert.severity,
        title: alert.title,
        message: alert.message,
        metadata: { source: alert.source },
        channels: routed,
        createdAt: now(),
        incident,
        resolves: alert.resolves === true,
        ...(suppressed ? { suppressed } : {}),
      }).alert;
    },

    async deliverDue() {
      for (const row of alerts.undelivered()) {
        if ((row.nextAttemptAt ?? 0) > now()) continue;
        await deliverOne(row);
      }
      const waiting = alerts.undelivered().map((row) => row.nextAttemptAt ?? now());
      return waiting.length === 0 ? null : Math.min(...waiting);
    },
  };
}
