import type { Database, Statement } from "better-sqlite3";
import { assertJsonData, type JsonValue, parseJsonText, toJsonText } from "./json-data.js";
import { type RepositoryDeps, requireText } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

export const leaseOutcomes = [
  "success",
  "failed_deploy",
  "degraded",
  "offline",
  "reclaimed",
  "closed",
] as const;
export type LeaseOutcome = (typeof leaseOutcomes)[number];

/** Outcomes that count for a provider: the lease ran to its planned end, or we closed it for our own reasons. */
export const successfulOutcomes: readonly LeaseOutcome[] = ["success", "closed"];
/** Outcomes that count against a provider (reclaiming forces a migration on us, so it counts too). */
export const failedOutcomes: readonly LeaseOutcome[] = ["failed_deploy", "degraded", "offline", "reclaimed"];

/** A lease on a provider: Akash's `dseq/gseq/oseq` plus the provider's address. */
export interface LeaseKey {
  readonly provider: string;
  readonly dseq: string;
  readonly gseq: number;
  readonly oseq: number;
}

export interface LeaseRecord extends LeaseKey {
  readonly id: number;
  readonly startedAt: number;
  /** When its services were first seen ready; null while they never were (a failed deploy). */
  readonly readyAt: number | null;
  readonly endedAt: number | null;
  readonly outcome: LeaseOutcome | null;
  /** Share of checks that found the service up, 0…1, as this agent measured it. */
  readonly measuredUptime: number | null;
  /** Health checks this agent made of the lease, and how many found its services up. */
  readonly checks: { readonly passed: number; readonly total: number };
  readonly issues: JsonValue[];
}

export interface LeaseEnd {
  readonly endedAt: number;
  readonly outcome: LeaseOutcome;
  readonly measuredUptime?: number | null;
  /** JSON data describing what went wrong (redacted before it is written). */
  readonly issues?: readonly unknown[];
}

/** What this agent has seen of one provider, for provider scoring. */
export interface ProviderStats {
  readonly provider: string;
  readonly leases: number;
  readonly successes: number;
  readonly failures: number;
  /** Duration-weighted mean of measured uptime over ended leases (plain mean when they all lasted 0 ms); null when none was measured. */
  readonly measuredUptime: number | null;
}

interface LeaseRow {
  id: number;
  provider: string;
  dseq: string;
  gseq: number;
  oseq: number;
  started_at: number;
  ready_at: number | null;
  ended_at: number | null;
  outcome: LeaseOutcome | null;
  measured_uptime: number | null;
  checks_passed: number;
  checks_total: number;
  issues_json: string;
}

interface StatsRow {
  provider: string;
  leases: number;
  successes: number;
  failures: number;
  measured_uptime: number | null;
}

const toRecord = (row: LeaseRow): LeaseRecord => ({
  id: row.id,
  provider: row.provider,
  dseq: row.dseq,
  gseq: row.gseq,
  oseq: row.oseq,
  startedAt: row.started_at,
  readyAt: row.ready_at,
  endedAt: row.ended_at,
  outcome: row.outcome,
  measuredUptime: row.measured_uptime,
  checks: { passed: row.checks_passed, total: row.checks_total },
  issues: parseJsonText(row.issues_json) as JsonValue[],
});

const sqlList = (values: readonly string[]) => values.map((value) => `'${value}'`).join(", ");

const statsSql = `
  SELECT provider,
    count(*) AS leases,
    count(*) FILTER (WHERE outcome IN (${sqlList(successfulOutcomes)})) AS successes,
    count(*) FILTER (WHERE outcome IN (${sqlList(failedOutcomes)})) AS failures,
    coalesce(
      sum(measured_uptime * (ended_at - started_at)) FILTER (WHERE ended_at IS NOT NULL)
        / nullif(sum(ended_at - started_at) FILTER (WHERE ended_at IS NOT NULL AND measured_uptime IS NOT NULL), 0),
      avg(measured_uptime) FILTER (WHERE ended_at IS NOT NULL)
    ) AS measured_uptime
  FROM provider_performance`;

/** Lease outcomes and measured uptime per provider. */
export class ProviderPerformanceRepository {
  private readonly insertRow: Statement<[string, string, number, number, number]>;
  private readonly latestForLease: Statement<[string, string, number, number], LeaseRow>;
  private readonly endRow: Statement<[number, string, number | null, string, number]>;
  private readonly getRow: Statement<[number], LeaseRow>;
  private readonly readyRow: Statement<[number, number]>;
  private readonly checkRow: Statement<[number, number]>;
  private readonly openOfDeployment: Statement<[string], LeaseRow>;
  private readonly historyRows: Statement<[string], LeaseRow>;
  private readonly statsOne: Statement<[string], StatsRow>;
  private readonly statsAll: Statement<[], StatsRow>;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO provider_performance (provider, dseq, gseq, oseq, started_at, issues_json)
       VALUES (?, ?, ?, ?, ?, '[]') ON CONFLICT DO NOTHING`,
    );
    this.latestForLease = db.prepare(
      `SELECT * FROM provider_performance WHERE provider = ? AND dseq = ? AND gseq = ? AND oseq = ?
       ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    this.endRow = db.prepare(
      "UPDATE provider_performance SET ended_at = ?, outcome = ?, measured_uptime = ?, issues_json = ? WHERE id = ?",
    );
    this.getRow = db.prepare("SELECT * FROM provider_performance WHERE id = ?");
    this.readyRow = db.prepare(
      "UPDATE provider_performance SET ready_at = coalesce(ready_at, ?) WHERE id = ? AND ended_at IS NULL",
    );
    this.checkRow = db.prepare(
      `UPDATE provider_performance SET checks_total = checks_total + 1, checks_passed = checks_passed + ?
       WHERE id = ? AND ended_at IS NULL`,
    );
    this.openOfDeployment = db.prepare(
      "SELECT * FROM provider_performance WHERE dseq = ? AND ended_at IS NULL ORDER BY started_at, id",
    );
    this.historyRows = db.prepare(
      "SELECT * FROM provider_performance WHERE provider = ? ORDER BY started_at, id",
    );
    this.statsOne = db.prepare(`${statsSql} WHERE provider = ? GROUP BY provider`);
    this.statsAll = db.prepare(`${statsSql} GROUP BY provider ORDER BY provider`);
  }

  /** Records that a lease started; repeating the call for the same lease and start time returns the same record. */
  leaseStarted(lease: LeaseKey, startedAt: number = this.deps.clock()): LeaseRecord {
    this.insertRow.run(
      requireText(lease.provider, "provider"),
      requireText(lease.dseq, "dseq"),
      lease.gseq,
      lease.oseq,
      startedAt,
    );
    return this.latest(lease)!;
  }

  /**
   * Records how the lease's latest record ended. Ending an already ended record again changes nothing
   * and returns it as stored, so an at-least-once actor may repeat the call.
   */
  leaseEnded(lease: LeaseKey, end: LeaseEnd): LeaseRecord {
    const record = this.latest(lease);
    if (!record) {
      throw new StoreError(
        `no lease ${lease.dseq}/${lease.gseq}/${lease.oseq} on ${lease.provider} was recorded as started: call leaseStarted first`,
      );
    }
    if (record.endedAt !== null) return record;
    if (!leaseOutcomes.includes(end.outcome)) {
      throw new TypeError(
        `lease outcome must be one of ${leaseOutcomes.join(", ")}, got ${String(end.outcome)}`,
      );
    }
    if (end.endedAt < record.startedAt) {
      throw new RangeError(
        `lease ${lease.dseq} cannot end (${end.endedAt}) before it started (${record.startedAt})`,
      );
    }
    const measured = record.checks.total > 0 ? record.checks.passed / record.checks.total : null;
    const uptime = end.measuredUptime ?? measured;
    if (uptime !== null && !(uptime >= 0 && uptime <= 1)) {
      throw new RangeError(`measured uptime is a fraction from 0 to 1, got ${uptime}`);
    }
    const issues = end.issues ?? [];
    assertJsonData(issues, "lease issues");
    this.endRow.run(
      end.endedAt,
      end.outcome,
      uptime,
      toJsonText(this.deps.redactor.value(issues), "lease issues"),
      record.id,
    );
    return toRecord(this.getRow.get(record.id)!);
  }

  /** Records when the lease's services were first ready (later calls keep the first time). */
  leaseReady(lease: LeaseKey, at: number = this.deps.clock()): void {
    const record = this.latest(lease);
    if (record) this.readyRow.run(at, record.id);
  }

  /** Counts one health check of the lease; the share that passed is its measured uptime when it ends. */
  checkResult(lease: LeaseKey, passed: boolean): void {
    const record = this.latest(lease);
    if (record) this.checkRow.run(passed ? 1 : 0, record.id);
  }

  /**
   * Records a deployment attempt that failed on this provider, whether or not its lease was ever
   * started on chain (a lease that was never created still cost us an attempt there).
   */
  attemptFailed(lease: LeaseKey, at: number, issues: readonly unknown[]): LeaseRecord {
    const latest = this.latest(lease);
    // Already ended: a repeat of this call after a crash (a failed provider is never leased again in a flow).
    if (latest && latest.endedAt !== null) return latest;
    if (!latest) this.leaseStarted(lease, at);
    return this.leaseEnded(lease, { endedAt: at, outcome: "failed_deploy", issues });
  }

  /** Ends every record of the deployment that is still open (the deployment closed, by us or the chain). */
  deploymentEnded(dseq: string, end: LeaseEnd): LeaseRecord[] {
    return this.openOfDeployment.all(dseq).map((row) => this.leaseEnded(toRecord(row), end));
  }

  /** The newest record of this lease, if any. */
  latest(lease: LeaseKey): LeaseRecord | undefined {
    const row = this.latestForLease.get(lease.provider, lease.dseq, lease.gseq, lease.oseq);
    return row ? toRecord(row) : undefined;
  }

  history(provider: string): LeaseRecord[] {
    return this.historyRows.all(provider).map(toRecord);
  }

  /** Aggregate for one provider; zero leases and null uptime when it was never used. */
  stats(provider: string): ProviderStats {
    const row = this.statsOne.get(provider);
    return row ? toStats(row) : { provider, leases: 0, successes: 0, failures: 0, measuredUptime: null };
  }

  /** Aggregates for every provider ever used, ordered by address. */
  allStats(): ProviderStats[] {
    return this.statsAll.all().map(toStats);
  }
}

const toStats = (row: StatsRow): ProviderStats => ({
  provider: row.provider,
  leases: row.leases,
  successes: row.successes,
  failures: row.failures,
  measuredUptime: row.measured_uptime,
});
