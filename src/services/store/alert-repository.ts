import type { Database, Statement } from "better-sqlite3";
import { assertJsonData, type JsonObject, parseJsonText, toJsonText } from "./json-data.js";
import { type RepositoryDeps, requireText } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

export const alertSeverities = ["low", "medium", "high", "critical"] as const;
export type AlertSeverity = (typeof alertSeverities)[number];

export interface NewAlert {
  /** Caller-chosen id; raising the same id again returns the stored alert (safe for at-least-once actors). */
  readonly id: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly message: string;
  /** JSON data; redacted before it is written. */
  readonly metadata?: unknown;
  /** Where it should go: `console`, `nostr`, `webhook` … */
  readonly channels: readonly string[];
  readonly createdAt?: number;
  /** The incident this alert belongs to; while one is open, later alerts of it are recorded, not sent. */
  readonly incident?: string;
  /** This alert says the incident is over. */
  readonly resolves?: boolean;
  /** Why it is recorded but not sent (`repeat`: its incident is open; `nothing_to_resolve`). */
  readonly suppressed?: AlertSuppression;
}

export type AlertSuppression = "repeat" | "nothing_to_resolve";

/** How far an alert's delivery has come (kept in its row, so a restart carries on). */
export interface AlertDeliveryProgress {
  readonly sentChannels: readonly string[];
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
}

export interface StoredAlert {
  readonly id: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly message: string;
  readonly metadata: JsonObject;
  readonly channels: string[];
  readonly createdAt: number;
  readonly deliveredAt: number | null;
  readonly acknowledgedAt: number | null;
  readonly incident: string | null;
  readonly resolves: boolean;
  readonly suppressed: AlertSuppression | null;
  readonly sentChannels: string[];
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
  readonly failedAt: number | null;
}

interface AlertRow {
  id: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  metadata_json: string;
  channels_json: string;
  created_at: number;
  delivered_at: number | null;
  acknowledged_at: number | null;
  incident: string | null;
  resolves: number;
  suppressed: AlertSuppression | null;
  sent_channels_json: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  failed_at: number | null;
}

const toAlert = (row: AlertRow): StoredAlert => ({
  id: row.id,
  severity: row.severity,
  title: row.title,
  message: row.message,
  metadata: parseJsonText(row.metadata_json) as JsonObject,
  channels: parseJsonText(row.channels_json) as string[],
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
  acknowledgedAt: row.acknowledged_at,
  incident: row.incident,
  resolves: row.resolves === 1,
  suppressed: row.suppressed,
  sentChannels: parseJsonText(row.sent_channels_json) as string[],
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastError: row.last_error,
  failedAt: row.failed_at,
});

export class AlertRepository {
  private readonly insertRow: Statement<
    [string, string, string, string, string, string, number, string | null, number, string | null]
  >;
  private readonly incidentRow: Statement<[string], AlertRow>;
  private readonly progressRow: Statement<[string, number, number | null, string | null, string]>;
  private readonly failRow: Statement<[number, string | null, string]>;
  private readonly getRow: Statement<[string], AlertRow>;
  private readonly deliverRow: Statement<[number, string]>;
  private readonly acknowledgeRow: Statement<[number, string]>;
  private readonly undeliveredRows: Statement<[], AlertRow>;
  private readonly recentRows: Statement<[number], AlertRow>;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO alerts (id, severity, title, message, metadata_json, channels_json, created_at, incident, resolves, suppressed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.incidentRow = db.prepare(
      `SELECT * FROM alerts WHERE incident = ? AND suppressed IS NULL
       ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    );
    this.progressRow = db.prepare(
      `UPDATE alerts SET sent_channels_json = ?, attempts = ?, next_attempt_at = ?, last_error = ?
       WHERE id = ?`,
    );
    this.failRow = db.prepare(
      "UPDATE alerts SET failed_at = coalesce(failed_at, ?), last_error = coalesce(?, last_error) WHERE id = ?",
    );
    this.getRow = db.prepare("SELECT * FROM alerts WHERE id = ?");
    this.deliverRow = db.prepare("UPDATE alerts SET delivered_at = coalesce(delivered_at, ?) WHERE id = ?");
    this.acknowledgeRow = db.prepare(
      "UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, ?) WHERE id = ?",
    );
    this.undeliveredRows = db.prepare(
      `SELECT * FROM alerts WHERE delivered_at IS NULL AND suppressed IS NULL AND failed_at IS NULL
       ORDER BY created_at, id`,
    );
    this.recentRows = db.prepare("SELECT * FROM alerts ORDER BY created_at DESC, id DESC LIMIT ?");
  }

  /** Stores an alert; `created` is false when one with this id already existed (it is returned unchanged). */
  raise(alert: NewAlert): { alert: StoredAlert; created: boolean } {
    if (!alertSeverities.includes(alert.severity)) {
      throw new TypeError(
        `alert severity must be one of ${alertSeverities.join(", ")}, got ${String(alert.severity)}`,
      );
    }
    const metadata = alert.metadata ?? {};
    assertJsonData(metadata, `metadata of alert ${alert.id}`);
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      throw new TypeError(`metadata of alert ${alert.id} must be an object`);
    }
    const { text, value } = this.deps.redactor;
    const { changes } = this.insertRow.run(
      requireText(alert.id, "alert id"),
      alert.severity,
      text(alert.title),
      text(alert.message),
      toJsonText(value(metadata), `metadata of alert ${alert.id}`),
      toJsonText(
        alert.channels.map((channel) => requireText(channel, "alert channel")),
        "alert channels",
      ),
      alert.createdAt ?? this.deps.clock(),
      alert.incident ?? null,
      alert.resolves ? 1 : 0,
      alert.suppressed ?? null,
    );
    return { alert: this.require(alert.id), created: changes === 1 };
  }

  get(id: string): StoredAlert | undefined {
    const row = this.getRow.get(id);
    return row ? toAlert(row) : undefined;
  }

  /** Records the first delivery; later calls keep the first time. */
  markDelivered(id: string, at: number = this.deps.clock()): StoredAlert {
    this.deliverRow.run(at, id);
    return this.require(id);
  }

  /** Records the operator's acknowledgement; later calls keep the first time. */
  acknowledge(id: string, at: number = this.deps.clock()): StoredAlert {
    this.acknowledgeRow.run(at, id);
    return this.require(id);
  }

  /** The newest sent (not suppressed) alert of an incident: it is open unless that alert resolves it. */
  latestOfIncident(incident: string): StoredAlert | undefined {
    const row = this.incidentRow.get(incident);
    return row ? toAlert(row) : undefined;
  }

  /** Saves how far delivery came (channels reached, attempts, next try, last error: redacted). */
  recordProgress(id: string, progress: AlertDeliveryProgress): StoredAlert {
    this.progressRow.run(
      toJsonText([...progress.sentChannels], "sent channels"),
      progress.attempts,
      progress.nextAttemptAt,
      progress.lastError === null ? null : this.deps.redactor.text(progress.lastError),
      id,
    );
    return this.require(id);
  }

  /** Gives up on an alert's delivery (after too many attempts); later calls keep the first time. */
  markFailed(id: string, at: number = this.deps.clock(), error: string | null = null): StoredAlert {
    this.failRow.run(at, error === null ? null : this.deps.redactor.text(error), id);
    return this.require(id);
  }

  /** Alerts still to deliver (not delivered, suppressed or given up), oldest first: what a delivery actor retries after a restart. */
  undelivered(): StoredAlert[] {
    return this.undeliveredRows.all().map(toAlert);
  }

  /** The newest alerts, newest first. */
  recent(limit = 50): StoredAlert[] {
    return this.recentRows.all(limit).map(toAlert);
  }

  private require(id: string): StoredAlert {
    const found = this.get(id);
    if (!found) throw new StoreError(`no alert with id "${id}" in the database: raise it before marking it`);
    return found;
  }
}
