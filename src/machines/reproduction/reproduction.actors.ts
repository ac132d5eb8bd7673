import type { LeaseRef } from "../lease/lease.types.js";
import { actorContract } from "../shared/index.js";
import type { ChildIdentity, ChildPlan, ChildRecord } from "./reproduction.types.js";

export interface EvaluateReproductionInput {
  key: string;
  children: ChildRecord[];
}
export interface EvaluateReproductionOutput {
  at: number;
  /** Null when no trigger fired or a gate (network load, treasury minimum) said no; `reason` says which. */
  decision: ChildPlan | null;
  reason: string;
}

export interface CreateChildIdentityInput {
  key: string;
}

export interface ChildStepInput {
  key: string;
  child: ChildIdentity;
  lease: LeaseRef;
}
export interface ChildStepDone {
  at: number;
}

export interface CheckHeartbeatsInput {
  children: ChildRecord[];
}
export interface CheckHeartbeatsOutput {
  at: number;
  /** Children whose last heartbeat is older than the timeout. */
  silent: string[];
}

export const reproductionActorContracts = {
  evaluateReproduction: actorContract<EvaluateReproductionOutput, EvaluateReproductionInput>(
    "evaluateReproduction",
  ),
  /** A fresh mnemonic for the child, kept encrypted by the parent; only public data comes back. */
  createChildIdentity: actorContract<ChildIdentity, CreateChildIdentityInput>("createChildIdentity"),
  registerChild: actorContract<ChildStepDone, ChildStepInput>("registerChild"),
  /** Hand the running child its autonomy (it takes over its own lease). */
  activateChild: actorContract<ChildStepDone, ChildStepInput>("activateChild"),
  checkHeartbeats: actorContract<CheckHeartbeatsOutput, CheckHeartbeatsInput>("checkHeartbeats"),
};
