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

export type RotationPhase = "preparing" | "grace" | "activating" | "revoking";

export interface Rotation {
  key: KeyName;
  fromIndex: number;
  toIndex: number;
  phase: RotationPhase;
  /** End of the dual-key grace period (absolute ms), once known. */
  graceEndsAt: number | null;
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
}
