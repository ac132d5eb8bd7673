import type { AlertNotice } from "../machines/shared/index.js";
import { incidentKey } from "../services/alerts/alert-dispatcher.js";

/** What the world did to a member that its operator should hear of once. */
export type IncidentKind =
  | "provider_failure"
  | "reclaim"
  | "provider_dark"
  | "outage"
  | "degraded"
  | "rpc_outage"
  | "downtime";

/** A span of one member's trouble as the world saw it (before overlapping ones are merged). */
export interface IncidentWindow {
  kind: IncidentKind;
  start: number;
  /** When it was over for the member (null while it lasts). */
  end: number | null;
  /** Long enough that the policy must have told the operator (false: borderline, alerts optional). */
  required: boolean;
  detail: string;
  /** What it is about: a provider's address, `chain`, or `service` (downtime, whatever its cause). */
  subject: string;
}

/** An alert as the operator's channels got it under the outbox's rule (one per open incident key). */
export interface SentAlert {
  at: number;
  key: string;
  severity: string;
  title: string;
}

/** One incident as reported: overlapping windows merged, with the alerts sent while it lasted. */
export interface Incident {
  start: number;
  end: number;
  kinds: IncidentKind[];
  required: boolean;
  detail: string;
  subjects: string[];
  alerts: SentAlert[];
}

const CHAIN = "chain";
const SERVICE = "service";

/** Windows about the same thing, or downtime beside a provider's trouble, are one incident. */
const related = (incident: Incident, window: IncidentWindow) =>
  incident.subjects.includes(window.subject) ||
  (window.subject === SERVICE && !incident.subjects.includes(CHAIN)) ||
  (incident.subjects.includes(SERVICE) && window.subject !== CHAIN);

/** Alerts about the chain (its reads, or a rotation's transactions) belong to a chain incident first. */
const aboutChain = (alert: SentAlert) =>
  alert.key === "health/chain-unreachable" || alert.key.startsWith("keys/");

export interface IncidentSummary {
  incidents: Incident[];
  /** Incidents that had to be alerted and were not. */
  silent: Incident[];
  /** Incidents alerted more than once. */
  noisy: Incident[];
  /** Alerts sent outside every incident. */
  stray: SentAlert[];
  alertsRaised: number;
  alertsSent: number;
  /** Repeats of an open incident key the outbox records and does not send. */
  alertsSuppressed: number;
}

/**
 * One member's incidents and alerts. Alerts go through the outbox's rule (DESIGN §16, the real
 * `incidentKey`): the first alert of an incident key is sent, repeats while it is open are not
 * (until `remindAfterMs`), a resolving notice closes the key and is not a new alert. Each sent alert
 * is counted against the incident it fell in (from its start to `graceMs` after its end).
 */
export class IncidentLog {
  readonly windows: IncidentWindow[] = [];
  private readonly sent: SentAlert[] = [];
  private readonly lastSentOf = new Map<string, number>();
  private raised = 0;
  private suppressed = 0;

  constructor(
    private readonly remindAfterMs: number,
    private readonly graceMs: number,
  ) {}

  open(window: Omit<IncidentWindow, "end"> & { end?: number | null }): IncidentWindow {
    const entry: IncidentWindow = { ...window, end: window.end ?? null };
    this.windows.push(entry);
    return entry;
  }

  openWindows(): IncidentWindow[] {
    return this.windows.filter((window) => window.end === null);
  }

  alert(at: number, alert: AlertNotice): void {
    const key = incidentKey(alert);
    if (alert.resolves) {
      this.lastSentOf.delete(key);
      return;
    }
    this.raised++;
    const last = this.lastSentOf.get(key);
    if (last !== undefined && at - last < this.remindAfterMs) {
      this.suppressed++;
      return;
    }
    this.lastSentOf.set(key, at);
    this.sent.push({ at, key, severity: alert.severity, title: alert.title });
  }

  summary(endOfRun: number): IncidentSummary {
    const windows = this.windows
      .map((window) => ({ ...window, end: window.end ?? endOfRun }))
      .sort((a, b) => a.start - b.start);
    const incidents: Incident[] = [];
    for (const window of windows) {
      const last = incidents.find(
        (incident) => window.start <= incident.end + this.graceMs && related(incident, window),
      );
      if (last) {
        if (!last.subjects.includes(window.subject)) last.subjects.push(window.subject);
        last.end = Math.max(last.end, window.end);
        if (!last.kinds.includes(window.kind)) last.kinds.push(window.kind);
        last.required ||= window.required;
        last.detail = `${last.detail}; ${window.detail}`;
      } else {
        incidents.push({
          start: window.start,
          end: window.end,
          kinds: [window.kind],
          required: window.required,
          detail: window.detail,
          subjects: [window.subject],
          alerts: [],
        });
      }
    }
    const stray: SentAlert[] = [];
    for (const alert of this.sent) {
      const during = incidents.filter(
        (incident) => incident.start <= alert.at && alert.at <= incident.end + this.graceMs,
      );
      const home =
        during.find((incident) => incident.subjects.includes(CHAIN) === aboutChain(alert)) ?? during[0];
      if (home) home.alerts.push(alert);
      else stray.push(alert);
    }
    // Borderline troubles that nobody was told of are not incidents of the run.
    const reported = incidents.filter((incident) => incident.required || incident.alerts.length > 0);
    return {
      incidents: reported,
      silent: reported.filter((incident) => incident.alerts.length === 0),
      noisy: reported.filter((incident) => incident.alerts.length > 1),
      stray,
      alertsRaised: this.raised,
      alertsSent: this.sent.length,
      alertsSuppressed: this.suppressed,
    };
  }
}
