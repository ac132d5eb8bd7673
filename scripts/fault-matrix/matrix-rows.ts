import type { Fault } from "./fault-types.js";
import { ALL_FAULTS, faultById } from "./faults/index.js";
import type { MatrixRow } from "./row-runner.js";

/**
 * The pairs run: a chosen subset (every pair of ~25 faults is ~300 rows, over two hours on this
 * machine). Each pairs a fault that makes the agent act (move, redeploy, swap, escalate) with one that
 * hinders how it acts (the node, the directory, the tx path, the voice), which is where two faults
 * interact; two faults that only wait (two outages) add nothing a single row does not show.
 */
export const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["provider-offline", "akash-node-errors"],
  ["provider-reclaiming", "akash-grpc-down"],
  ["provider-offline", "console-down"],
  ["provider-degraded", "tx-sequence"],
  ["provider-errors", "tx-out-of-gas"],
  ["escrow-drained", "relay-down"],
  ["provider-reclaiming", "swap-price-moved"],
  ["provider-offline", "clock-jump-forward"],
];

/** The short variant `npm test` runs: cheap rows, each a different kind of outcome. */
export const SHORT_ROWS: readonly string[] = [
  "akash-rpc-down",
  "provider-offline",
  "tx-out-of-gas",
  "tx-fee",
];

const single = (fault: Fault): MatrixRow => ({ id: fault.id, faults: [fault] });

export const singleRows = (): MatrixRow[] => ALL_FAULTS.map(single);

/** What a pair that fails was found to do (see docs/fault-matrix.md). */
const PAIR_BUGS: Readonly<Record<string, string>> = {};

export const pairRows = (): MatrixRow[] =>
  PAIRS.map(([a, b]) => {
    const id = `${a}+${b}`;
    const bug = PAIR_BUGS[id];
    return { id, faults: [faultById(a), faultById(b)], ...(bug ? { knownBug: bug } : {}) };
  });

export const shortRows = (): MatrixRow[] => SHORT_ROWS.map((id) => single(faultById(id)));

/** Rows by id: a fault's id, or two joined by "+". */
export function rowsById(ids: readonly string[]): MatrixRow[] {
  return ids.map((id) => {
    const parts = id.split("+");
    return { id, faults: parts.map(faultById) };
  });
}
