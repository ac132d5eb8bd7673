import type { AnyActorRef, StateValue } from "xstate";
import type { Resources } from "../domain/index.js";
import { AGENT_CHILDREN } from "../machines/agent/agent.machine.js";
import type { HealthReport } from "../machines/health/health.types.js";
import type { BidSummary } from "../machines/lease/lease.types.js";
import type { FamilyRequestState } from "../machines/reproduction/reproduction.types.js";
import type { Balances } from "../machines/treasury/treasury.types.js";
import type { AgentRuntime } from "../runtime/agent-runtime.js";
import { stateName } from "../runtime/lease-view.js";

/** One actor of the agent's tree as the status route shows it. */
export interface ActorStateView {
  state: string;
  status: string;
}

interface SnapshotLike {
  value: StateValue;
  status: string;
  context: unknown;
}

/**
 * What the HTTP routes and the metrics read from the running actor tree (selectors in the sense of
 * DESIGN §11): nobody else digs into context paths.
 */
export class AgentSystemView {
  constructor(private readonly runtime: AgentRuntime) {}

  private child(id: string): SnapshotLike | null {
    const ref = (this.runtime.actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id];
    return ref ? (ref.getSnapshot() as SnapshotLike) : null;
  }

  private context<T>(id: string): T | null {
    return (this.child(id)?.context as T | undefined) ?? null;
  }

  /** The root and each child's dotted state. */
  actors(): Record<string, ActorStateView> {
    const root = this.runtime.actor.getSnapshot();
    const views: Record<string, ActorStateView> = {
      agent: { state: stateName(root.value), status: root.status },
    };
    for (const id of [...AGENT_CHILDREN, "alerts"]) {
      const child = this.child(id);
      if (child?.value !== undefined) views[id] = { state: stateName(child.value), status: child.status };
    }
    return views;
  }

  agentState(): string {
    return stateName(this.runtime.actor.getSnapshot().value);
  }

  /** The lease machine's top-level state ("active"), or null before it runs. */
  leaseTopState(): string | null {
    const view = this.runtime.lease();
    return view ? (view.state.split(/[.+ ]/)[0] ?? null) : null;
  }

  leaseResources(): Resources | null {
    return this.context<{ resources: Resources }>("lease")?.resources ?? null;
  }

  bids(): { bids: BidSummary[]; chosen: BidSummary | null } {
    const lease = this.context<{ bids: BidSummary[]; chosenBid: BidSummary | null }>("lease");
    return { bids: lease?.bids ?? [], chosen: lease?.chosenBid ?? null };
  }

  /** The lease the agent holds now, as the health monitor wants it. */
  currentLease(): {
    dseq: string;
    gseq: number;
    oseq: number;
    provider: string;
    hostUri: string | null;
    uris: string[];
  } | null {
    const lease = this.context<{
      lease: {
        dseq: string;
        gseq: number;
        oseq: number;
        provider: string;
        hostUri: string | null;
        uris: string[];
      } | null;
    }>("lease")?.lease;
    if (!lease) return null;
    return {
      dseq: lease.dseq,
      gseq: lease.gseq,
      oseq: lease.oseq,
      provider: lease.provider,
      hostUri: lease.hostUri,
      uris: lease.uris,
    };
  }

  balances(): Balances | null {
    return this.context<{ balances: Balances | null }>("treasury")?.balances ?? null;
  }

  lastHealthReport(): HealthReport | null {
    return this.context<{ lastReport: HealthReport | null }>("health")?.lastReport ?? null;
  }

  /** Whether the health monitor is watching a lease (not paused or idle). */
  healthWatching(): boolean {
    const health = this.child("health");
    return health !== null && stateName(health.value) !== "idle";
  }

  /** What became of an operator's spawn or retire request, or null while the family has not seen it. */
  familyRequest(requestId: string): FamilyRequestState | null {
    return (
      this.context<{ requests: Record<string, FamilyRequestState> }>("reproduction")?.requests[requestId] ??
      null
    );
  }

  send(id: string, event: { type: string } & Record<string, unknown>): boolean {
    const ref = (this.runtime.actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id];
    if (!ref) return false;
    this.runtime.persister.recordInput({
      source: "admin",
      target: id,
      type: event.type,
      payload: event as never,
    });
    ref.send(event);
    return true;
  }
}
