/** Where a fault applies: CometBFT JSON-RPC, gRPC queries, both node endpoints (`all`), or the Console API. */
export type RpcFaultTarget = "rpc" | "grpc" | "all" | "console";

export interface RpcFaultSpec {
  readonly target?: RpcFaultTarget;
  /** "error": the call fails (HTTP 503 / gRPC UNAVAILABLE); "delay": it is answered after `delayMs`. */
  readonly kind: "error" | "delay";
  readonly delayMs?: number;
  /** How many calls are affected; omitted = every call until cleared. */
  readonly count?: number;
}

interface ActiveFault {
  readonly target: RpcFaultTarget;
  readonly kind: "error" | "delay";
  readonly delayMs: number;
  remaining: number | null;
}

export interface FaultDecision {
  readonly fail: boolean;
  readonly delayMs: number;
}

/** Injected failures and delays of the node's RPC endpoints (fault injection "RPC errors or delays"). */
export class NetworkFaults {
  private faults: ActiveFault[] = [];

  add(spec: RpcFaultSpec): void {
    this.faults.push({
      target: spec.target ?? "all",
      kind: spec.kind,
      delayMs: spec.kind === "delay" ? Math.max(0, spec.delayMs ?? 1000) : 0,
      remaining: spec.count === undefined ? null : Math.max(1, spec.count),
    });
  }

  clear(): void {
    this.faults = [];
  }

  active(): { target: RpcFaultTarget; kind: string; delayMs: number; remaining: number | null }[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Consumes one use of every fault that applies to this call. */
  take(target: "rpc" | "grpc" | "console"): FaultDecision {
    let fail = false;
    let delayMs = 0;
    for (const fault of this.faults) {
      const applies = fault.target === target || (fault.target === "all" && target !== "console");
      if (!applies) continue;
      if (fault.kind === "error") fail = true;
      else delayMs = Math.max(delayMs, fault.delayMs);
      if (fault.remaining !== null) fault.remaining -= 1;
    }
    this.faults = this.faults.filter((f) => f.remaining === null || f.remaining > 0);
    return { fail, delayMs };
  }
}

/** A delay that does not by itself keep the process alive (so stopping the devnet never waits on one). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
