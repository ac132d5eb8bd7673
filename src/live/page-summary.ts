import type { InspectionEvent } from "xstate";
import type { AlertNotice, Balances, LeaseMachine } from "../machines/index.js";
import { type LeaseView, leaseViewOf } from "../runtime/lease-view.js";

const ALERTS_KEPT = 20;

type LeaseSnapshot = ReturnType<LeaseMachine["getInitialSnapshot"]>;

export interface PageAlert {
  at: number;
  severity: string;
  title: string;
  message: string;
  source: string;
}

/** What the page's cards show beside the charts; served as JSON at `/live/status`. */
export interface PageSummary {
  /** The host's status JSON (the same as `status --json`), as given. */
  status: unknown;
  /** The lease as `status --json` reads it, from the lease actor's latest snapshot. */
  lease: (LeaseView & { priceUactPerBlock: string | null }) | null;
  balances: Balances | null;
  /** The latest alerts raised in this process, newest first. */
  alerts: PageAlert[];
}

export interface PageSummaryTracker {
  inspect(event: InspectionEvent): void;
  summary(status: unknown): PageSummary;
}

/** Whether a snapshot has the lease machine's context (another machine may run under the id "lease"). */
function isLeaseSnapshot(snapshot: unknown): snapshot is LeaseSnapshot {
  const context = (snapshot as { context?: Record<string, unknown> }).context;
  return (
    typeof context === "object" &&
    context !== null &&
    "lease" in context &&
    "deployment" in context &&
    (context.escrowRunwayHours === null || typeof context.escrowRunwayHours === "number")
  );
}

/**
 * Keeps what the cards need from the inspection stream: the lease view (through the runtime's own
 * `leaseViewOf`, so the page and `status --json` agree), the treasury's balances and the alerts
 * machines raise. Reads only the snapshots' public shape; nothing here is persisted.
 */
export function createPageSummaryTracker(): PageSummaryTracker {
  let lease: PageSummary["lease"] = null;
  let balances: Balances | null = null;
  const alerts: PageAlert[] = [];
  return {
    inspect(event) {
      if (event.type === "@xstate.snapshot") {
        const id = (event.actorRef as { id?: string }).id;
        const snapshot = event.snapshot as { status?: string; context?: unknown };
        if (!snapshot.context) return;
        if (id === "lease" && isLeaseSnapshot(event.snapshot)) {
          const leaseSnapshot = event.snapshot;
          lease = {
            ...leaseViewOf(leaseSnapshot),
            priceUactPerBlock: leaseSnapshot.context.lease?.priceUact ?? null,
          };
        } else if (id === "treasury") {
          balances = (snapshot.context as { balances: Balances | null }).balances ?? balances;
        }
        return;
      }
      if (event.type === "@xstate.event" && event.event.type === "ALERT.RAISED") {
        const alert = event.event as AlertNotice;
        alerts.unshift({
          at: Date.now(),
          severity: alert.severity,
          title: alert.title,
          message: alert.message,
          source: alert.source,
        });
        alerts.length = Math.min(alerts.length, ALERTS_KEPT);
      }
    },
    summary(status) {
      return { status, lease, balances, alerts: [...alerts] };
    },
  };
}
