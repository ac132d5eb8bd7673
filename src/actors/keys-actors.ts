import { fromPromise } from "xstate";
import { EffectError } from "../domain/index.js";
import type { RollbackInput, RotationStepInput, StepDone } from "../machines/keys/keys.actors.js";
import type { KeyName } from "../machines/keys/keys.types.js";
import { assertAccountIndex, type KeyKind, rotateKeyIndex } from "../services/keys/index.js";
import type { AgentServices } from "./agent-services.js";

const kindOf: Record<KeyName, KeyKind> = {
  akash: "akash",
  payment: "evm",
  identity: "nostr",
  encryption: "encryption",
};

/**
 * Key rotation over the keystore. The payment, identity and encryption keys hold nothing on chain
 * in this build, so a rotation moves the keystore to the next index (the mnemonic still recovers
 * every older key). The Akash key owns the running deployment: rotating it needs a handover this
 * build does not do, so it fails clearly and the machine rolls back and alerts.
 */
export function createKeyRotationActors(services: AgentServices) {
  const { keystore, logger } = services;
  const log = logger.child({ actor: "keys" });

  return {
    prepareNextKey: fromPromise<StepDone, RotationStepInput>(async ({ input }) => {
      if (input.name === "akash") {
        throw new EffectError(
          "fatal",
          "rotating the Akash key needs the deployment handed over to the new address, which this build does not do; the key stays",
        );
      }
      assertAccountIndex(input.toIndex);
      log.info(
        { key: input.name, from: input.fromIndex, to: input.toIndex },
        "rotating a key: grace period begins",
      );
      return { at: services.now() };
    }),

    activateNextKey: fromPromise<StepDone, RotationStepInput>(async ({ input }) => {
      const kind = kindOf[input.name];
      const at = services.now();
      // The index and when it changed, in one save: the schedule after a restart counts from here.
      await rotateKeyIndex(keystore, kind, input.toIndex, new Date(at));
      log.info({ key: input.name, index: input.toIndex }, "the new key is now the primary one");
      return { at };
    }),

    revokeOldKey: fromPromise<StepDone, RotationStepInput>(async ({ input }) => {
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
      log.warn(
        { key: input.name, index: input.fromIndex },
        "rotation rolled back: the old key stays primary",
      );
      return { at: services.now() };
    }),
  };
}
