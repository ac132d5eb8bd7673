/**
 * The agent's rotating keys (DESIGN §6): each is derived from the one mnemonic at an account index,
 * so rotating moves to the next index. akash = the Cosmos account, payment = the Cronos EVM key,
 * identity = the Nostr key, encryption = the backup encryption key.
 */
export const keyNames = ["akash", "payment", "identity", "encryption"] as const;
export type KeyName = (typeof keyNames)[number];

export interface KeyState {
  index: number;
  rotatedAt: number;
  /** When the next rotation is due (absolute ms). */
  dueAt: number;
}

export type RotationPhase = "preparing" | "grace" | "activating" | "migrating" | "revoking";

/** A key whose rotation moves what it owns: the agent moves into a deployment of `owner` (DESIGN §12). */
export interface OwnerMove {
  /** The next key's `akash1…` address: owner of the deployment the agent moves into. */
  owner: string;
  /** The rotated key's address: owner of the deployment that serves until the move is done. */
  fromOwner: string;
}

export interface Rotation {
  key: KeyName;
  fromIndex: number;
  toIndex: number;
  phase: RotationPhase;
  /** End of the dual-key grace period (absolute ms), once known. */
  graceEndsAt: number | null;
  /** Set once the new key is primary, when its rotation moves the agent's deployment. */
  move?: OwnerMove;
  /** How many times the move has been asked of the lease so far (absent: not yet). */
  moveRequests?: number;
}

export interface KeyRotationSettings {
  /**
   * The keys this agent rotates on schedule; empty turns rotation off. Absent (snapshots from before
   * it existed) means every key.
   */
  rotating?: readonly KeyName[];
  intervalDays: Record<KeyName, number>;
  graceMs: number;
  /** After a failed rotation is rolled back, try again this much later. */
  retryAfterMs: number;
  /**
   * While a rotation's move is under way, ask the lease for it again after this long (default 60 s),
   * doubling after each ask that went unanswered, up to `maxMoveRequestMs`.
   */
  moveRequestMs?: number;
  /** The longest wait between two asks for the same move (default 30 min). */
  maxMoveRequestMs?: number;
}
