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
});

export class AlertRepository {
  private readonly insertRow: Statement<[string, string, string, string, string, string, number]>;
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
      `INSERT INTO alerts (id, severity, title, message, metadata_json, channels_json, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.getRow = db.prepare("SELECT * FROM alerts WHERE id = ?");
    this.deliverRow = db.prepare("UPDATE alerts SET delivered_at = coalesce(delivered_at, ?) WHERE id = ?");
    this.acknowledgeRow = db.prepare(
      "UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, ?) WHERE id = ?",
    );
    this.undeliveredRows = db.prepare(
      "SELECT * FROM alerts WHERE delivered_at IS NULL ORDER BY created_at, id",
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

  /** Alerts not yet delivered, oldest first (what a delivery actor retries after a restart). */
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
