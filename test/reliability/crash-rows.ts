import type { TxStep } from "../../src/services/akash/index.js";
import { CRASH_FLOWS, type FlowName } from "./crash-flows.js";

export type KillPoint =
  /**
   * SIGKILL from the test the moment the lease logs a state inside `state`; with `stored`, only once
   * the agent's database holds that state (where a kill before the write would lose an outside input).
   */
  | { readonly kind: "state"; readonly state: string; readonly stored?: boolean }
  /** AKASH_AGENT_CRASH_AT=`step`:`n`: the agent SIGKILLs itself at that step of the flow's n-th tx. */
  | { readonly kind: "tx"; readonly step: TxStep; readonly n: number }
  /**
   * SIGKILL from the test between read-only steps and the next barrier (DESIGN §17): once the lease has
   * logged each state of `after` in turn, after the health monitor finished `checks` more checks (with
   * their balance polls) that the database does not hold one by one.
   */
  | { readonly kind: "reads"; readonly after: readonly string[]; readonly checks: number };

export interface CrashRow {
  readonly flow: FlowName;
  readonly kill: KillPoint;
  /** In the default run (the full matrix runs with AGENT_FULL_CRASH_MATRIX=1). */
  readonly inDefault: boolean;
  /** A bug in the agent this row runs into, until it is fixed (the row still fails). */
  readonly knownFailure?: string;
}

export const TX_STEPS: readonly TxStep[] = ["recorded", "signed", "broadcast", "included"];

/** The deploy flow's lease states, in order. */
export const DEPLOY_STATES = [
  "generating_sdl",
  "requesting_bids.funding",
  "requesting_bids.publishing",
  "requesting_bids.collecting",
  "evaluating_bids",
  "accepting_bid",
  "creating_lease",
  "deploying",
  "starting",
  "active",
] as const;

export function rowLabel(row: CrashRow): string {
  if (row.kill.kind === "state") return `state ${row.kill.state}${row.kill.stored ? " (once stored)" : ""}`;
  if (row.kill.kind === "reads")
    return `${row.kill.checks} checks after ${row.kill.after.join(" → ")}, before a barrier`;
  const tx = CRASH_FLOWS[row.flow].txs[row.kill.n - 1];
  return `${row.kill.step} ${tx?.label ?? `tx ${row.kill.n}`} (:${row.kill.n})`;
}

export function crashAtSpec(kill: KillPoint): string | undefined {
  return kill.kind === "tx" ? `${kill.step}:${kill.n}` : undefined;
}

/** Kill points of a flow's own transactions (not the deploy ones it starts with), each step of each. */
function txRows(flow: FlowName, from: number, inDefault: (step: TxStep, n: number) => boolean): CrashRow[] {
  const txs = CRASH_FLOWS[flow].txs;
  const rows: CrashRow[] = [];
  for (let n = from; n <= txs.length; n += 1) {
    for (const step of TX_STEPS) {
      rows.push({ flow, kill: { kind: "tx", step, n }, inDefault: inDefault(step, n) });
    }
  }
  return rows;
}

const is =
  (...points: Array<[TxStep, number]>) =>
  (step: TxStep, n: number) =>
    points.some(([s, m]) => s === step && m === n);

/**
 * Every kill point of the matrix. The default run keeps every lease state, every tx step kind and
 * every kind of chain call once (mint, create deployment, create lease, deposit, close lease, close
 * deployment); the full matrix (every step of every tx of every flow) runs with AGENT_FULL_CRASH_MATRIX=1.
 */
export function crashRows(): CrashRow[] {
  return [
    ...DEPLOY_STATES.map(
      (state): CrashRow => ({ flow: "deploy", kill: { kind: "state", state }, inDefault: true }),
    ),
    ...txRows("deploy", 1, is(["recorded", 1], ["signed", 2], ["broadcast", 3])),
    { flow: "renew", kill: { kind: "state", state: "active.renewing" }, inDefault: true },
    ...txRows("renew", 4, is(["included", 5])),
    { flow: "migrate-degraded", kill: { kind: "state", state: "migrating" }, inDefault: true },
    { flow: "migrate-degraded", kill: { kind: "state", state: "draining" }, inDefault: true },
    ...txRows("migrate-degraded", 4, is(["broadcast", 7])),
    { flow: "migrate-offline", kill: { kind: "state", state: "migrating" }, inDefault: true },
    ...txRows("migrate-offline", 4, is(["included", 4])),
    // Killed once MsgStartGroup is in a block, before its intent is marked done: between it and the bid.
    ...txRows("migrate-provider-closed", 4, is(["included", 4])),
    { flow: "terminate", kill: { kind: "state", state: "terminating", stored: true }, inDefault: true },
    ...txRows("terminate", 4, is(["broadcast", 4])),
    // Barrier cases (DESIGN §17): health checks and balance polls are not written one by one. A kill after
    // some of them resumes from the last barrier, derives them again and repeats no effect.
    {
      flow: "watch",
      kill: { kind: "reads", after: ["active.monitoring"], checks: 3 },
      inDefault: true,
    },
    {
      flow: "renew-watch",
      kill: { kind: "reads", after: ["active.renewing", "active.monitoring"], checks: 2 },
      inDefault: true,
    },
  ];
}
