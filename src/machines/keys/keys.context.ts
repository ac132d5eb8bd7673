import type { EffectFailure } from "../shared/index.js";
import {
  type KeyName,
  type KeyRotationSettings,
  type KeyState,
  keyNames,
  type Rotation,
} from "./keys.types.js";

const DAY_MS = 86_400_000;

export interface KeyRotationInput {
  agentId: string;
  settings: KeyRotationSettings;
  /** Current index of each key and when it was last rotated (from the keystore). */
  keys: Record<KeyName, { index: number; rotatedAt: number }>;
}

export interface KeyRotationContext {
  agentId: string;
  settings: KeyRotationSettings;
  keys: Record<KeyName, KeyState>;
  rotation: Rotation | null;
  lastError: (EffectFailure & { key: KeyName }) | null;
  rotations: number;
}

export function dueAfter(name: KeyName, rotatedAt: number, settings: KeyRotationSettings): number {
  return rotatedAt + settings.intervalDays[name] * DAY_MS;
}

export function initialKeyRotationContext(input: KeyRotationInput): KeyRotationContext {
  const keys = Object.fromEntries(
    keyNames.map((name) => {
      const { index, rotatedAt } = input.keys[name];
      return [name, { index, rotatedAt, dueAt: dueAfter(name, rotatedAt, input.settings) }];
    }),
  ) as Record<KeyName, KeyState>;
  return {
    agentId: input.agentId,
    settings: input.settings,
    keys,
    rotation: null,
    lastError: null,
    rotations: 0,
  };
}

/** The keys that rotate on schedule under these settings, in the order of keyNames. */
export function scheduledKeys(settings: KeyRotationSettings): KeyName[] {
  const rotating = settings.rotating ?? keyNames;
  return keyNames.filter((name) => rotating.includes(name));
}

/** The scheduled key whose rotation is due first (ties: the order of keyNames); null when none rotates. */
export function nextDueKey(context: Pick<KeyRotationContext, "keys" | "settings">): KeyName | null {
  const { keys } = context;
  return scheduledKeys(context.settings).reduce<KeyName | null>(
    (best, name) => (best === null || keys[name].dueAt < keys[best].dueAt ? name : best),
    null,
  );
}
