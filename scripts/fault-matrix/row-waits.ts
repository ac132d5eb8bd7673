import type { HealthReport } from "../../src/machines/health/health.types.js";
import type { LeaseView } from "../../src/runtime/lease-view.js";
import type { StoredAlert } from "../../src/services/store/index.js";
import { waitFor } from "../../test/support/devnet.js";
import type { RowContext, Settled } from "./fault-types.js";

/** How long one fault's outcome may take before the row counts it as not reached. */
export const SETTLE_TIMEOUT_MS = 90_000;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The agent's lease once it is in `state` and `predicate` holds. */
export function untilLease(
  context: RowContext,
  state: string,
  predicate: (view: LeaseView) => boolean = () => true,
  ms = SETTLE_TIMEOUT_MS,
): Promise<LeaseView> {
  return within(context.agent().until(state, predicate), ms, `the lease reaching ${state}`);
}

/** Alerts raised since the faults were injected, oldest first (repeats of an open incident left out). */
export function newAlerts(context: RowContext): StoredAlert[] {
  return context
    .agent()
    .store.alerts.recent(200)
    .filter((alert) => !context.alertsBefore.has(alert.id) && alert.suppressed === null)
    .reverse();
}

/** The first alert since the injection whose title matches. */
export function untilAlert(context: RowContext, title: RegExp, ms = SETTLE_TIMEOUT_MS): Promise<StoredAlert> {
  return waitFor(
    () => newAlerts(context).find((alert) => title.test(alert.title)),
    ms,
    `an alert titled ${title}`,
  );
}

/** The lease is back on its baseline deployment and provider and a health check passed since `from` (agent clock). */
export async function servingAgainSince(context: RowContext, from: number): Promise<Settled> {
  const baseline = context.baseline;
  if (!baseline) throw new Error("a ride-out needs the lease's baseline");
  const report = () =>
    (
      context.agent().runtime.actor.getSnapshot().children.health?.getSnapshot() as
        | { context: { lastReport: HealthReport | null } }
        | undefined
    )?.context.lastReport ?? null;
  await waitFor(
    () => {
      const last = report();
      const good =
        last !== null &&
        last.at > from &&
        last.provider.reachable &&
        last.provider.responsive &&
        last.services.ready === last.services.total;
      return good ? true : undefined;
    },
    SETTLE_TIMEOUT_MS,
    "a passed health check after the fault ended",
  );
  const view = await untilLease(context, "active");
  if (context.rowExpect === "move") return { at: Date.now(), detail: `serving again on dseq ${view.dseq}` };
  if (view.dseq !== baseline.dseq || view.provider !== baseline.provider) {
    throw new Error(
      `the lease left: dseq ${baseline.dseq} on ${baseline.provider} → ${view.dseq} on ${view.provider}`,
    );
  }
  return { at: Date.now(), detail: `stayed on dseq ${view.dseq}, healthy again` };
}

/** Holds a fault for `holdMs`, ends it, and waits until the lease serves again where it was. */
export async function rideOut(
  context: RowContext,
  holdMs: number,
  clear: (context: RowContext) => Promise<void>,
): Promise<Settled> {
  await sleep(holdMs);
  const cleared = context.clock.now();
  await clear(context);
  return servingAgainSince(context, cleared);
}

/** The lease active somewhere other than its baseline (another provider or another deployment). */
export async function movedAway(context: RowContext): Promise<Settled> {
  const baseline = context.baseline;
  if (!baseline) throw new Error("a move needs the lease's baseline");
  const view = await untilLease(
    context,
    "active.monitoring",
    (lease) => lease.provider !== baseline.provider || lease.dseq !== baseline.dseq,
  );
  const how = view.dseq === baseline.dseq ? `rebid on dseq ${view.dseq}` : `new dseq ${view.dseq}`;
  return { at: Date.now(), detail: `moved: ${how}, provider ${short(view.provider)}` };
}

/** The first deployment reached active. */
export async function deployed(context: RowContext): Promise<Settled> {
  const view = await untilLease(context, "active.monitoring");
  return { at: Date.now(), detail: `deployed dseq ${view.dseq} on ${short(view.provider)}` };
}

export const short = (address: string | null | undefined) =>
  address ? `${address.slice(0, 12)}…${address.slice(-4)}` : "none";
