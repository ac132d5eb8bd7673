import type { EffectFailure } from "../shared/index.js";
import type {
  ChildIdentity,
  ChildLocation,
  ChildPlan,
  ChildRecord,
  ChildRole,
  FamilyRequestState,
} from "./reproduction.types.js";

export interface ReproductionSettings {
  enabled: boolean;
  /** This agent is itself a child. */
  isChild: boolean;
  /** Children may reproduce only when this is true. */
  childrenMayReproduce: boolean;
  maxChildren: number;
  evaluateEveryMs: number;
  /** How often the children's heartbeats are looked at. */
  heartbeatCheckMs: number;
  /** A child without a heartbeat for this long is silent (and resurrected if its lease is gone). */
  silenceThresholdMs: number;
  requestTimeoutMs: number;
  /** Births tried for one child before it is given up (its grants revoked, its record kept). */
  maxBirthAttempts: number;
  /** The Nostr relays the children's heartbeats are read from (ours). */
  heartbeatRelays: string[];
}

export interface ReproductionInput {
  agentId: string;
  settings: ReproductionSettings;
  /** Children already registered (from the store), so a restart keeps counting them. */
  children?: ChildRecord[];
  /** The derivation index the next child takes (from the store). */
  nextChildIndex?: number;
}

/** An operator's spawn request being served. */
export interface SpawnRequest {
  requestId: string;
  role: ChildRole;
  region: string | null;
}

export interface ReproductionContext {
  agentId: string;
  settings: ReproductionSettings;
  nextEvaluationAt: number | null;
  lastReason: string | null;
  decision: ChildPlan | null;
  /** The operator's request the current evaluation or birth serves, if any. */
  request: SpawnRequest | null;
  child: ChildIdentity | null;
  birth: ChildLocation | null;
  birthAttempts: number;
  pendingRequestId: string | null;
  children: ChildRecord[];
  /** The derivation index of the next child; taken for good once the child is funded. */
  nextChildIndex: number;
  /** Counts reproductions begun, for idempotency keys. */
  generation: number;
  /** The child being retired, and the requests queued behind it. */
  retiring: { requestId: string; childId: string } | null;
  retireQueue: { requestId: string; childId: string }[];
  /** The silent child being resurrected. */
  resurrecting: string | null;
  /**
   * Children whose grants expire soon (the last heartbeat check said so), and the one whose grants are
   * being renewed. Absent in snapshots from before grants were renewed.
   */
  grantsToRenew?: string[];
  renewing?: string | null;
  /** The last operator requests' outcomes, newest last (bounded). */
  requests: Record<string, FamilyRequestState>;
  lastHeartbeatCheckAt: number | null;
  nextHeartbeatCheckAt: number | null;
  lastError: EffectFailure | null;
}

export function initialReproductionContext(input: ReproductionInput): ReproductionContext {
  const children = input.children ?? [];
  return {
    agentId: input.agentId,
    settings: input.settings,
    nextEvaluationAt: null,
    lastReason: null,
    decision: null,
    request: null,
    child: null,
    birth: null,
    birthAttempts: 0,
    pendingRequestId: null,
    children,
    nextChildIndex: Math.max(input.nextChildIndex ?? 0, ...children.map((child) => child.index + 1)),
    generation: 0,
    retiring: null,
    retireQueue: [],
    resurrecting: null,
    grantsToRenew: [],
    renewing: null,
    requests: {},
    lastHeartbeatCheckAt: null,
    nextHeartbeatCheckAt: null,
    lastError: null,
  };
}
