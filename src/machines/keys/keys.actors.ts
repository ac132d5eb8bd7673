import { actorContract } from "../shared/index.js";
import type { KeyName, OwnerMove, RotationPhase } from "./keys.types.js";

export interface RotationStepInput {
  key: string;
  name: KeyName;
  fromIndex: number;
  toIndex: number;
}

export interface RollbackInput extends RotationStepInput {
  /** The phase the rotation failed in, so the rollback undoes exactly what was done. */
  failedPhase: RotationPhase;
}

/** Each step reports when it finished; the machine keeps deadlines as absolute times from these. */
export interface StepDone {
  at: number;
}

/** The new key is primary; `move` when the agent must now move into a deployment the new key owns. */
export interface KeyActivated extends StepDone {
  move?: OwnerMove;
}

export const keyRotationActorContracts = {
  /** Derive the next index and make it accepted beside the old one (e.g. authz grant, relay allow-list). */
  prepareNextKey: actorContract<StepDone, RotationStepInput>("prepareNextKey"),
  /** Make the new index the primary one in the keystore. */
  activateNextKey: actorContract<KeyActivated, RotationStepInput>("activateNextKey"),
  /** Stop accepting the old index (revoke grants, close what it still owns, sweep its funds). */
  revokeOldKey: actorContract<StepDone, RotationStepInput>("revokeOldKey"),
  /** Undo a rotation that failed part-way; the old key stays primary. */
  rollbackRotation: actorContract<StepDone, RollbackInput>("rollbackRotation"),
};
