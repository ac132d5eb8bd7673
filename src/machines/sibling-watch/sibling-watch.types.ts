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
  /** 1, 2, … per sibling: names its data dir (`siblings/<childId>/resurrection-N`). */
  attempt: number;
}
