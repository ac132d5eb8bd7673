import type { WriteBarriers } from "../services/store/index.js";

/**
 * Actors that only read or wait (DESIGN §17): starting one is not a barrier, so a health check, a
 * balance poll, a heartbeat check or a timer is not written step by step. After a crash the agent
 * resumes from its last barrier and runs them again. Every other actor is an effect (or a child
 * machine): its start is written first.
 */
export const READ_ONLY_ACTORS = [
  "waitFor",
  "waitUntil",
  "checkHealth",
  "readBalances",
  "checkHeartbeats",
  "checkSiblings",
] as const;

export const agentWriteBarriers: WriteBarriers = { readOnly: READ_ONLY_ACTORS };

/**
 * Readings that change on every check and decide nothing after a restore (the next check reads them
 * anew): blanked in the persisted form, so that a barrier reached after unchanged checks writes the
 * same bytes as the last one and is skipped. The live context keeps them for status and the page.
 */
const VOLATILE_READINGS: Readonly<Record<string, readonly string[]>> = {
  lease: ["lastHealthyAt"],
  health: ["lastReport"],
};

interface PersistedMachine {
  context?: Record<string, unknown>;
  children?: Record<string, { snapshot?: unknown } | undefined>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function blank(context: unknown, fields: readonly string[]): unknown {
  if (!isRecord(context)) return context;
  const copy: Record<string, unknown> = { ...context };
  for (const field of fields) if (field in copy) copy[field] = null;
  return copy;
}

/** The agent's persisted snapshot with its lease's and health monitor's volatile readings blanked (a copy). */
export function agentPersistedForm(persisted: unknown): unknown {
  if (!isRecord(persisted)) return persisted;
  const { children } = persisted as PersistedMachine;
  if (!isRecord(children)) return persisted;
  const copy: Record<string, unknown> = { ...children };
  for (const [id, fields] of Object.entries(VOLATILE_READINGS)) {
    const child = children[id];
    if (!isRecord(child) || !isRecord(child.snapshot)) continue;
    copy[id] = { ...child, snapshot: { ...child.snapshot, context: blank(child.snapshot.context, fields) } };
  }
  return { ...persisted, children: copy };
}

/** A hosted lease's persisted snapshot (the lease machine is the root) with its volatile readings blanked. */
export function hostedLeasePersistedForm(persisted: unknown): unknown {
  if (!isRecord(persisted)) return persisted;
  return { ...persisted, context: blank(persisted.context, VOLATILE_READINGS.lease ?? []) };
}
