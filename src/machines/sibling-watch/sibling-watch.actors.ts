import { type EventObject, fromCallback } from "xstate";
import type { WatchedFamilyEvent, WatchHeartbeatsInput } from "../reproduction/reproduction.actors.js";
import { actorContract } from "../shared/index.js";

export interface FollowRosterInput {
  readonly relays: readonly string[];
  /** Only rosters signed by this key (npub1… or hex) count. */
  readonly parentNpub: string;
}

export interface CheckSiblingsOutput {
  at: number;
  /**
   * When this process began watching: a heartbeat older than that is no evidence of silence until a
   * threshold has passed since (a restored watch first hears the family again).
   */
  watchingSince: number;
}

export interface ResurrectSiblingInput {
  /** `<agentId>:resurrect-sibling:<childId>:<window>`: a restart resumes the same resurrection. */
  key: string;
  childId: string;
  /** Its data dir is `<dataDir>/siblings/<childId>/resurrection-<attempt>` (kept across failed attempts). */
  attempt: number;
  /** Providers the family used last (from the roster): the sibling comes back elsewhere. */
  avoidProviders: string[];
}

export type ResurrectSiblingOutput =
  | { outcome: "resurrected"; at: number; dseq: string; provider: string; uri: string; generation: number }
  /** Its take-back refused: it still beats or its lease still runs. */
  | { outcome: "alive"; at: number; reason: string };

export const siblingWatchActorContracts = {
  /** Long-lived: the parent's rosters addressed to this agent, as SIBLINGS.ROSTER (public part only). */
  followRoster: fromCallback<EventObject, FollowRosterInput>(() => () => {}),
  /** Long-lived: the heartbeats of the parent and the siblings, as CHILD.HEARTBEAT keyed by agent id. */
  watchMemberHeartbeats: fromCallback<WatchedFamilyEvent, WatchHeartbeatsInput>(() => () => {}),
  /** The time of this check and of this process's start of watching (the machine reads no clock). */
  checkSiblings: actorContract<CheckSiblingsOutput, void>("checkSiblings"),
  /**
   * Reads the latest roster from the relays for the sibling's secrets and runs its resurrection (the
   * parent's runner: restore of its backup, then `run --take-back`) with the parent's grants.
   */
  resurrectSibling: actorContract<ResurrectSiblingOutput, ResurrectSiblingInput>("resurrectSibling"),
};
