import type { AlertNotice } from "../shared/index.js";
import type { KeyName } from "./keys.types.js";

export type KeyRotationEvent =
  | { type: "KEYS.ROTATE_NOW"; key: KeyName }
  /** The keys this process can rotate (its keystore may keep rotated indices where the last one's could not). */
  | { type: "KEYS.SCHEDULE"; rotating: KeyName[] }
  /** The lease is active, in a deployment of `owner` (null: the first key's, from before owners were kept). */
  | { type: "KEYS.LEASE_ACTIVE"; owner: string | null };

export type KeyRotationNotice =
  | { type: "KEYS.ROTATED"; key: KeyName; index: number }
  | { type: "KEYS.ROTATION_FAILED"; key: KeyName; reason: string }
  /** The rotated key owns the deployment: the agent must move into one of `owner` (a self-migration). */
  | { type: "KEYS.MOVE_NEEDED"; owner: string; fromOwner: string; reason: string }
  | AlertNotice;
