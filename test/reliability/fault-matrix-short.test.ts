import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RowResult } from "../../scripts/fault-matrix/fault-types.js";
import { type MatrixDevnet, startMatrixDevnet } from "../../scripts/fault-matrix/matrix-devnet.js";
import { shortRows } from "../../scripts/fault-matrix/matrix-rows.js";
import { runFaultRow } from "../../scripts/fault-matrix/row-runner.js";
import { tolerateIdleGoaway } from "../support/idle-goaway.js";

/**
 * The short fault matrix (`npm run faults -- --short`): a few cheap rows, one of each outcome the
 * failure policy plans (ride out a node outage, move off an offline provider, retry a tx that ran out
 * of gas, give up on a fee the chain refuses), with the real agent on a devnet and the outcome read
 * on chain. The full matrix is `npm run faults`, its last run in docs/fault-matrix.md.
 */
const rows = shortRows();

describe("the short fault matrix", { timeout: 180_000 }, () => {
  let environment: MatrixDevnet;
  const results: RowResult[] = [];

  beforeAll(async () => {
    tolerateIdleGoaway();
    environment = await startMatrixDevnet(rows);
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it.each(rows.map((row) => [row.id, row] as const))(
    "%s: recovered or escalated as the policy says",
    async (_, row) => {
      const result = await runFaultRow(row, environment);
      results.push(result);
      expect(result.problems).toEqual([]);
      expect(result.result).toBe("pass");
      expect(result.orphaned).toBe(0);
    },
  );
});
