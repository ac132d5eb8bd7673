import type { AlertNotice } from "../shared/index.js";
import type { KeyName } from "./keys.types.js";

export type KeyRotationEvent = { type: "KEYS.ROTATE_NOW"; key: KeyName };

export type KeyRotationNotice =
  | { type: "KEYS.ROTATED"; key: KeyName; index: number }
  | { type: "KEYS.ROTATION_FAILED"; key: KeyName; reason: string }
  | AlertNotice;
