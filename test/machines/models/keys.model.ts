import type { SnapshotFrom } from "xstate";
import { type KeyRotationMachine, keyNames, keyRotationMachine } from "../../../src/machines/index.js";
import { errors, keySettings } from "../../support/machine-fixtures.js";
import type { MachineModel } from "../../support/model-paths.js";

function serialize(snapshot: SnapshotFrom<KeyRotationMachine>): string {
  const { keys, rotation } = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    rotation: rotation
      ? { key: rotation.key, phase: rotation.phase, grace: rotation.graceEndsAt !== null }
      : null,
    rotated: keyNames.map((name) => Math.min(keys[name].index, 1)),
  });
}

const step = [
  { label: "ok", done: { at: 5_000 } },
  { label: "failed", error: errors.retryable },
];

export const keysModel: MachineModel<KeyRotationMachine> = {
  machine: keyRotationMachine,
  input: {
    agentId: "agent-test",
    settings: keySettings,
    keys: {
      akash: { index: 0, rotatedAt: 0 },
      payment: { index: 0, rotatedAt: 10 },
      identity: { index: 0, rotatedAt: 0 },
      encryption: { index: 0, rotatedAt: 0 },
    },
  },
  // Rotation off (e.g. a keystore that cannot save a rotated index): the machine stays disabled.
  otherInputs: [
    {
      agentId: "agent-test",
      settings: { ...keySettings, rotating: [] },
      keys: {
        akash: { index: 0, rotatedAt: 0 },
        payment: { index: 0, rotatedAt: 10 },
        identity: { index: 0, rotatedAt: 0 },
        encryption: { index: 0, rotatedAt: 0 },
      },
    },
  ],
  serialize,
  events: () => [
    { type: "KEYS.ROTATE_NOW", key: "akash" },
    { type: "KEYS.ROTATE_NOW", key: "identity" },
    { type: "KEYS.SCHEDULE", rotating: ["payment"] },
    { type: "KEYS.SCHEDULE", rotating: [] },
    { type: "KEYS.LEASE_ACTIVE", owner: "akash1next" },
    { type: "KEYS.LEASE_ACTIVE", owner: null },
  ],
  outcomes: {
    prepareNextKey: step,
    // The Akash key's activation moves the agent into a deployment of the next key.
    activateNextKey: [
      ...step,
      { label: "moves", done: { at: 5_000, move: { owner: "akash1next", fromOwner: "akash1old" } } },
    ],
    revokeOldKey: step,
    rollbackRotation: step,
    waitUntil: [{ label: "due", done: undefined }],
    waitFor: [{ label: "elapsed", done: undefined }],
  },
};
