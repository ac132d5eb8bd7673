import type { LeaseSettings } from "../lease/lease.context.js";
import type { LeaseRef } from "../lease/lease.types.js";
import type { EffectFailure } from "../shared/index.js";
import type { ChildIdentity, ChildPlan, ChildRecord } from "./reproduction.types.js";

export interface ReproductionSettings {
  enabled: boolean;
  /** This agent is itself a child. */
  isChild: boolean;
  /** Children may reproduce only when this is true. */
  childrenMayReproduce: boolean;
  maxChildren: number;
  evaluateEveryMs: number;
  heartbeatCheckMs: number;
  requestTimeoutMs: number;
  childLease: LeaseSettings;
}

export interface ReproductionInput {
  agentId: string;
  settings: ReproductionSettings;
  /** Children already registered (from the store), so a restart keeps counting them. */
  children?: ChildRecord[];
}

export interface ReproductionContext {
  agentId: string;
  settings: ReproductionSettings;
  nextEvaluationAt: number | null;
  lastReason: string | null;
  decision: ChildPlan | null;
  child: ChildIdentity | null;
  childLease: LeaseRef | null;
  pendingRequestId: string | null;
  children: ChildRecord[];
  /** Counts reproductions begun, for idempotency keys. */
  generation: number;
  nextHeartbeatCheckAt: number | null;
  lastError: EffectFailure | null;
}

export function initialReproductionContext(input: ReproductionInput): ReproductionContext {
  return {
    agentId: input.agentId,
    settings: input.settings,
    nextEvaluationAt: null,
    lastReason: null,
    decision: null,
    child: null,
    childLease: null,
    pendingRequestId: null,
    children: input.children ?? [],
    generation: 0,
    nextHeartbeatCheckAt: null,
    lastError: null,
  };
}
