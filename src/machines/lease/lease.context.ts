import type { FailureEvent } from "../../domain/index.js";
import type { EffectFailure, FundsRequest, RetryPolicy } from "../shared/index.js";
import type {
  BidSummary,
  DeploymentRef,
  ExhaustedResource,
  LeaseId,
  LeasePurpose,
  LeaseRef,
  LeaseResources,
  UpgradeProgress,
} from "./lease.types.js";

export interface LeaseSettings {
  /** Stop collecting bids once this many arrived, or when the window closes. */
  minBids: number;
  bidWindowMs: number;
  /** Deployment attempts on different providers before the lease fails. */
  maxAttempts: number;
  retry: RetryPolicy;
  /** Escrow deposited with a new deployment, in uact (chain minimum: 500000). */
  initialDepositUact: string;
  /** An escrow top-up brings runway back to this many hours. */
  topUpToHours: number;
  blockSeconds: number;
  /** A request to the treasury that gets no answer is sent again after this long. */
  requestTimeoutMs: number;
}

export interface LeaseInput {
  agentId: string;
  resources: LeaseResources;
  settings: LeaseSettings;
  /** systemId this actor is registered under, named in requests so answers find their way back. */
  systemId?: string;
}

export interface LeaseContext {
  agentId: string;
  systemId: string;
  settings: LeaseSettings;
  /** Resources the next (or current) deployment asks for. */
  resources: LeaseResources;
  purpose: LeasePurpose;
  /** Deployment attempt within the current flow, 1-based. */
  attempt: number;
  /** Providers that failed us; never chosen again. */
  excludedProviders: string[];
  /** The deployment being set up, or the current one. */
  deployment: DeploymentRef | null;
  bids: BidSummary[];
  chosenBid: BidSummary | null;
  hostUri: string | null;
  /** The lease that serves the agent now. */
  lease: LeaseRef | null;
  /** The lease being replaced (make-before-break): closed only once the new one is ready. */
  previous: LeaseRef | null;
  /**
   * The failure being recovered from, as the recovery policy reads it; what the lease does next is
   * the policy's plan for it (lease.policy.ts). Absent in snapshots from before version 4.
   */
  failure?: FailureEvent | null;
  /** In-place restarts of failed services on the current lease (absent before version 4: none). */
  restartsMade?: number;
  /** Emergency swaps waited for on the current funds need (absent before version 4: none). */
  emergencySwapsTried?: number;
  /** Why the current migration started (shown to users, given to planMigration). */
  migrationReason: string | null;
  /**
   * The failure of the serving lease that the move under way is for (a reclaim, an offline provider):
   * a move abandoned for lack of funds is tried again for it once funds may be there. Absent in
   * snapshots from before it was kept.
   */
  moveCause?: FailureEvent | null;
  /** Moves deferred in a row for lack of funds: the next try waits a backoff that grows with them. */
  deferredMoves?: number;
  /** A lease that failed a deployment attempt and must be released. */
  failedLease: LeaseId | null;
  /** Consecutive retries of the current step. */
  retries: number;
  /** Counts SDL generations and top-ups, so each gets its own idempotency key. */
  generation: number;
  topUps: number;
  escrowRunwayHours: number | null;
  /** When the last top-up was in the escrow: a runway read before then is stale. */
  escrowToppedUpAt: number | null;
  pendingRequest: FundsRequest | null;
  lastError: (EffectFailure & { step: string }) | null;
  lastHealthyAt: number | null;
  exhausted: ExhaustedResource | null;
  /** The last upgrade asked for, under way or ended (absent in snapshots from before upgrades). */
  upgrade?: UpgradeProgress | null;
  /** Images an upgrade was rolled back from: a changed setting does not try them again; the operator may. */
  failedImages?: string[];
}

export function initialLeaseContext(input: LeaseInput): LeaseContext {
  return {
    agentId: input.agentId,
    systemId: input.systemId ?? "lease",
    settings: input.settings,
    resources: input.resources,
    purpose: "deploy",
    attempt: 1,
    excludedProviders: [],
    deployment: null,
    bids: [],
    chosenBid: null,
    hostUri: null,
    lease: null,
    previous: null,
    failure: null,
    restartsMade: 0,
    emergencySwapsTried: 0,
    migrationReason: null,
    moveCause: null,
    deferredMoves: 0,
    failedLease: null,
    retries: 0,
    generation: 0,
    topUps: 0,
    escrowRunwayHours: null,
    escrowToppedUpAt: null,
    pendingRequest: null,
    lastError: null,
    lastHealthyAt: null,
    exhausted: null,
    upgrade: null,
    failedImages: [],
  };
}
