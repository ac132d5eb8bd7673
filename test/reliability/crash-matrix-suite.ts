import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { OwnerChainReader } from "../../support/owner-chain-footprint.js";
import { startTestDevnet } from "../support/devnet.js";
import { runsInScope, scopeTitle } from "./crash-matrix-scope.js";
import { erroredRow, type RowResult, rowProblems, runCrashRow } from "./crash-row-runner.js";
import { type CrashRow, crashRows, rowLabel } from "./crash-rows.js";
import { formatCrashTable } from "./crash-table.js";

const ROW_TIMEOUT_MS = 300_000;

/**
 * One part of the crash-resume matrix (the parts are separate test files so they run side by side): the real agent CLI as a child process against a devnet in this process
 * (100 ms blocks), SIGKILLed at each lease state of the deploy flow, in the middle of each of its chain
 * calls (AKASH_AGENT_CRASH_AT at recorded, signed, broadcast, included), and during the maintenance
 * flows (escrow top-up, make-before-break and close-and-rebid migrations, termination); restarted with
 * the same command, it must resume, reach its target and leave the chain (read with chain-sdk) and its
 * own records as one uncrashed run would. A summary table is printed at the end.
 */
export function describeCrashMatrix(part: string, inPart: (row: CrashRow) => boolean): void {
  describe(`crash-resume matrix, ${part} (${scopeTitle()})`, () => {
    const rows = crashRows().filter((row) => inPart(row) && runsInScope(row));
    const results: RowResult[] = [];
    let devnet: DevnetHandle;
    let reader: OwnerChainReader;
    let workDir: string;
    let startedAt = 0;

    beforeAll(async () => {
      devnet = await startTestDevnet({ blockTimeMs: 100 });
      reader = await OwnerChainReader.connect(devnet);
      workDir = mkdtempSync(join(tmpdir(), "crash-matrix-"));
      startedAt = Date.now();
    });

    afterAll(async () => {
      if (results.length > 0) console.info(`\n${formatCrashTable(results, Date.now() - startedAt)}\n`);
      reader?.disconnect();
      await devnet?.stop();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    for (const row of rows) {
      const title = `${row.flow}: ${rowLabel(row)}${row.knownFailure ? " (known failure)" : ""}`;
      it(
        title,
        async () => {
          const rowStarted = Date.now();
          let result: RowResult;
          try {
            result = await runCrashRow(row, { devnet, reader, workDir });
          } catch (error) {
            result = erroredRow(row, error, Date.now() - rowStarted);
          }
          results.push(result);
          const context = row.knownFailure ? `known failure: ${row.knownFailure}` : title;
          expect(rowProblems(result), context).toEqual([]);
        },
        ROW_TIMEOUT_MS,
      );
    }
    if (rows.length === 0) it.skip(`no row of this part in this scope (${scopeTitle()})`, () => {});
  });
}
