import type { ChildHeartbeatEvent } from "../reproduction/reproduction.events.js";
import type { PublicRoster } from "./sibling-watch.types.js";

/** The parent's latest roster for this agent (verified and decrypted by the follower; public part only). */
export interface SiblingRosterEvent {
  type: "SIBLINGS.ROSTER";
  roster: PublicRoster;
  createdAtSeconds: number;
}

/** A member's (or the parent's) heartbeat: the family heartbeat watcher's event, keyed by agent id. */
export type SiblingWatchEvent = SiblingRosterEvent | ChildHeartbeatEvent;
