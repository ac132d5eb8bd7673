import { fromPromise } from "xstate";
import { EffectError } from "../domain/index.js";
import type {
  KeyActivated,
  RollbackInput,
  RotationStepInput,
  StepDone,
} from "../machines/keys/keys.actors.js";
import type { KeyName } from "../machines/keys/keys.types.js";
import { AgentKeys, assertAccountIndex, type KeyKind, rotateKeyIndex } from "../services/keys/index.js";
import type { AgentServices } from "./agent-services.js";
import { createAkashKeyRotation } from "./akash-key-rotation.js";

const kindOf: Record<KeyName, KeyKind> = {
  akash: "akash",
  payment: "evm",
  identity: "nostr",
  encryption: "encryption",
};

/**
 * Keys that this build does not rotate, and why: each would change what the running deployment
 * depends on, which needs a move this build does not make (DESIGN §12).
 */
export const KEYS_NOT_ROTATED: Readonly<Partial<Record<KeyName, string>>> = {
  identity:
    "the Nostr public key is in the deployment's manifest (AGENT_NOSTR_PUBKEY): rotating it needs a manifest update, which this build does not do",
};

/**
 * Key rotation over the keystore. The payment and encryption keys hold nothing on chain and are not
 * in the deployment's manifest in this build, so a rotation moves the keystore to the next index (the
 * mnemonic still recovers every older key). The Akash key owns the deployment: its rotation is a
 * self-migration into a deployment of the next key, then a sweep of the old account
 * (akash-key-rotation.ts). The keys in KEYS_NOT_ROTATED, and every key when the
 * keystore cannot save a rotated index, are refused at the first step, before anything changed:
 * the machine rolls back and alerts (the schedule leaves them out; this answers a restored schedule
 * from an older build or a request to rotate now).
 */
export function createKeyRotationActors(services: AgentServices) {
  const { keystore, logger } = services;
  const log = logger.child({ actor: "keys" });
  const akash = createAkashKeyRotation(services);

  /** Throws, before anything changed, for a key this build does not rotate or a keystore that cannot keep it. */
  const refuseUnsupported = (name: KeyName) => {
    const notRotated = KEYS_NOT_ROTATED[name];
    if (notRotated !== undefined) {
      throw new EffectError("fatal", `the ${name} key stays: ${notRotated}`);
    }
    if (!keystore.durable) {
      throw new EffectError(
        "fatal",
        `the ${name} key stays: the keystore (${keystore.describe()}) cannot save a rotated key index; use a keystore file (akash-agent init)`,
      );
    }
  };

  return {
    prepareNextKey: fromPromise<StepDone, RotationStepInput>(async ({ input }) => {
      if (input.name === "akash") return akash.prepare(input);
      refuseUnsupported(input.name);
      assertAccountIndex(input.toIndex);
      log.info(
        { key: input.name, from: input.fromIndex, to: input.toIndex },
        "rotating a key: grace period begins",
      );
      return { at: services.now() };
    }),

    activateNextKey: fromPromise<KeyActivated, RotationStepInput>(async ({ input }) => {
      if (input.name === "akash") return akash.activate(input);
      // Again here: a rotation restored from an older build's snapshot may have begun without the check.
      refuseUnsupported(input.name);
      const kind = kindOf[input.name];
      const at = services.now();
      // The index and when it changed, in one save: the schedule after a restart counts from here.
      const updated = await rotateKeyIndex(keystore, kind, input.toIndex, new Date(at));
      // This process uses the new key from now on, as a restart would.
      services.keys = AgentKeys.fromContents(updated);
      log.info({ key: input.name, index: input.toIndex }, "the new key is now the primary one");
      return { at };
    }),

    revokeOldKey: fromPromise<StepDone, RotationStepInput>(async ({ input, signal }) => {
      if (input.name === "akash") return akash.revoke(input, signal);
      log.info({ key: input.name, index: input.fromIndex }, "old key retired (nothing on chain held it)");
      return { at: services.now() };
    }),

    rollbackRotation: fromPromise<StepDone, RollbackInput>(async ({ input }) => {
      if (input.failedPhase === "revoking") {
        throw new EffectError(
          "fatal",
          `the ${input.name} key was already switched to index ${input.toIndex}; it cannot move back`,
        );
      }
      if (input.name === "akash") return akash.rollback(input);
      log.warn(
        { key: input.name, index: input.fromIndex },
        "rotation rolled back: the old key stays primary",
      );
      return { at: services.now() };
    }),
  };
}
