import type { StateValue } from "xstate";
import type { UpgradeProgress } from "../machines/lease/lease.types.js";

/** An upgrade as `status` and the admin API show it (issue 18). */
export interface UpgradeView {
  from: string;
  to: string;
  state: UpgradeProgress["state"];
  reason: string | null;
}

/** What `run --json` and `status --json` print about the agent's lease. */
export interface LeaseView {
  state: string;
  dseq: string | null;
  provider: string | null;
  uris: string[];
  escrowRunwayHours: number | null;
  /** The image the serving deployment runs, when the lease records it. */
  image?: string;
  /** The last upgrade, under way or ended. */
  upgrade?: UpgradeView;
}

/** `{ active: "monitoring" }` → "active.monitoring"; parallel values join with " + ". */
export function stateName(value: StateValue): string {
  if (typeof value === "string") return value;
  return Object.entries(value)
    .map(([key, child]) => (child === undefined ? key : `${key}.${stateName(child as StateValue)}`))
    .join(" + ");
}

/** Whether a state name is `wanted` or inside it ("active.monitoring" is in "active"). */
export function isInState(name: string, wanted: string): boolean {
  return name === wanted || name.startsWith(`${wanted}.`);
}

interface LeaseSnapshotLike {
  value: StateValue;
  context: {
    lease: { dseq: string; provider: string; uris: string[]; image?: string } | null;
    deployment: { dseq: string } | null;
    escrowRunwayHours: number | null;
    upgrade?: UpgradeProgress | null;
  };
}

export function leaseViewOf(snapshot: LeaseSnapshotLike): LeaseView {
  const { lease, deployment, escrowRunwayHours, upgrade } = snapshot.context;
  return {
    state: stateName(snapshot.value),
    dseq: lease?.dseq ?? deployment?.dseq ?? null,
    provider: lease?.provider ?? null,
    uris: lease?.uris ?? [],
    escrowRunwayHours: escrowRunwayHours === null ? null : Number(escrowRunwayHours.toFixed(2)),
    ...(lease?.image === undefined ? {} : { image: lease.image }),
    ...(upgrade
      ? { upgrade: { from: upgrade.from, to: upgrade.to, state: upgrade.state, reason: upgrade.reason } }
      : {}),
  };
}

/** The lease view from a persisted root snapshot (JSON), or null when the lease actor has not started. */
export function leaseViewFromPersisted(root: unknown): LeaseView | null {
  const persisted = root as {
    children?: { lease?: { snapshot?: LeaseSnapshotLike } };
    context?: { leaseTerminated?: boolean; terminatedDseq?: string | null };
  };
  const lease = persisted.children?.lease?.snapshot;
  if (lease?.value !== undefined && lease.context) return leaseViewOf(lease);
  // The agent finished after its lease terminated: the lease actor is gone, the agent remembers.
  if (persisted.context?.leaseTerminated) {
    return {
      state: "terminated",
      dseq: persisted.context.terminatedDseq ?? null,
      provider: null,
      uris: [],
      escrowRunwayHours: null,
    };
  }
  return null;
}
