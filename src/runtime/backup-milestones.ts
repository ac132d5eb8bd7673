import type { AnyActorRef, InspectionEvent } from "xstate";
import type { BackupReason } from "../machines/backup/backup.types.js";

/**
 * Turns what the agent machine receives into backup milestones: a lease first active (`lease_active`),
 * active again on another deployment or provider (`migration_done`), a key rotated, a child activated.
 * It reads the inspection stream of the agent's root, so the agent machine needs no change.
 */
export function createMilestoneDetector(root: () => AnyActorRef | undefined) {
  let leaseKey: string | null = null;
  return (event: InspectionEvent): BackupReason | null => {
    if (event.type !== "@xstate.event" || event.actorRef !== root()) return null;
    const received = event.event as { type: string; lease?: { dseq?: string; provider?: string } };
    switch (received.type) {
      case "LEASE.ACTIVE": {
        const key = `${received.lease?.dseq ?? ""}/${received.lease?.provider ?? ""}`;
        if (key === leaseKey) return null;
        const first = leaseKey === null;
        leaseKey = key;
        return first ? "lease_active" : "migration_done";
      }
      case "KEYS.ROTATED":
        return "key_rotated";
      case "CHILD.ACTIVATED":
        return "child_born";
      default:
        return null;
    }
  };
}

/**
 * A generation that took over in this store since its last backup is a milestone too (DESIGN §15,
 * handover): an instance just activated by its leader, or a data dir that took the agent back. Its
 * first backup is what a resurrection restores, so it is made at start rather than hours later. A store
 * that never recorded leadership (updatedAt 0) has none.
 */
export function tookOverSinceLastBackup(
  leadership: { readonly state: string; readonly updatedAt: number },
  last: { readonly at: number } | null,
): boolean {
  return (
    leadership.state === "leading" &&
    leadership.updatedAt > 0 &&
    (last === null || last.at < leadership.updatedAt)
  );
}
