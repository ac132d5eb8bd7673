/** A member of the family as the parent's roster lists it: public data only. */
export interface SiblingMember {
  index: number;
  childId: string;
  akash: string;
  npub: string;
  bornAt: number | null;
  dseq: string | null;
  provider: string | null;
}

/** The public part of the parent's latest roster (its secrets never reach a machine). */
export interface PublicRoster {
  parent: { agentId: string; akash: string; npub: string };
  members: SiblingMember[];
  publishedAt: number;
}

/** A resurrection this agent started: which sibling, in which silence window, its attempt number. */
export interface SiblingResurrection {
  childId: string;
  /** Start of the silence window it was started in (ms): part of its idempotency key. */
  window: number;
  /**
   * Names its data dir (`siblings/<childId>/resurrection-N`): 1 + the sibling's resurrections that
   * succeeded, so a failed attempt is resumed in the same dir at the next window.
   */
  attempt: number;
}
