import { fromCallback } from "xstate";
import { actorContract } from "../shared/index.js";
import type { ChildHeartbeatEvent } from "./reproduction.events.js";
import type {
  ChildIdentity,
  ChildLocation,
  ChildPlan,
  ChildRecord,
  ChildRole,
} from "./reproduction.types.js";

export interface EvaluateReproductionInput {
  key: string;
  children: ChildRecord[];
  /** An operator's request: no trigger needed, the gates still apply. */
  request: { role: ChildRole; region: string | null } | null;
}
export interface EvaluateReproductionOutput {
  at: number;
  /** Null when no trigger fired or a gate (quota, treasury, market) said no; `reason` says which. */
  decision: ChildPlan | null;
  reason: string;
}

export interface CreateChildIdentityInput {
  key: string;
  index: number;
  role: ChildRole;
  region: string | null;
}

export interface DeployChildInput {
  key: string;
  child: ChildIdentity;
  plan: ChildPlan;
  /** Providers the family already runs on: the child's bids from them lose to any other. */
  avoidProviders: string[];
  /** Regions the family already runs in. */
  avoidRegions: string[];
}
export type DeployChildOutput = ChildLocation & { at: number };

export interface RegisterChildInput {
  key: string;
  child: ChildIdentity;
  plan: ChildPlan;
  location: ChildLocation;
}
export interface ChildStepDone {
  at: number;
}

export interface CheckHeartbeatsInput {
  children: ChildRecord[];
  silenceThresholdMs: number;
}
export interface CheckHeartbeatsOutput {
  at: number;
  /** Children whose last heartbeat is older than the threshold. */
  silent: string[];
  /** Children whose grants expire within the renewal window (absent: none). */
  grantsExpiring?: string[];
}

export interface ChildStepInput {
  key: string;
  child: ChildRecord;
}
export type ResurrectChildOutput =
  | ({ outcome: "resurrected"; at: number } & ChildLocation)
  /** Its lease is still there (or the child answers): nothing to resurrect. */
  | { outcome: "alive"; at: number; reason: string };

/** Tells a running heartbeat watch which children to follow from now on. */
export interface WatchedFamilyEvent {
  readonly type: "FAMILY.CHILDREN";
  readonly children: readonly { readonly childId: string; readonly npub: string }[];
}

export interface WatchHeartbeatsInput {
  readonly relays: readonly string[];
  readonly children: readonly { readonly childId: string; readonly npub: string }[];
}

export const reproductionActorContracts = {
  evaluateReproduction: actorContract<EvaluateReproductionOutput, EvaluateReproductionInput>(
    "evaluateReproduction",
  ),
  /** The child's identity at `index` (derived from the parent's mnemonic), registered as born. */
  createChildIdentity: actorContract<ChildIdentity, CreateChildIdentityInput>("createChildIdentity"),
  /** Deploy the child from its own account (deposits from the grant) and activate it: it leads itself. */
  deployChild: actorContract<DeployChildOutput, DeployChildInput>("deployChild"),
  registerChild: actorContract<ChildStepDone, RegisterChildInput>("registerChild"),
  checkHeartbeats: actorContract<CheckHeartbeatsOutput, CheckHeartbeatsInput>("checkHeartbeats"),
  /** A new deployment for a silent child whose lease is gone, from its latest backup. */
  resurrectChild: actorContract<ResurrectChildOutput, ChildStepInput>("resurrectChild"),
  /**
   * Grant again what the child may still spend of its grants, expiring a grant period from now (a
   * child whose grants lapse can neither deposit nor pay a fee).
   */
  renewChildGrants: actorContract<ChildStepDone, ChildStepInput>("renewChildGrants"),
  /** Close its deployment, sweep its account, revoke its grants; its record stays. */
  retireChild: actorContract<ChildStepDone, ChildStepInput>("retireChild"),
  /** Long-lived: the children's heartbeats from Nostr, as CHILD.HEARTBEAT. Without relays: nothing. */
  watchFamilyHeartbeats: fromCallback<WatchedFamilyEvent, WatchHeartbeatsInput>(() => () => {}),
};

export type { ChildHeartbeatEvent };
