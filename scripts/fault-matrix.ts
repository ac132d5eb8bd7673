import type { RowResult } from "./fault-matrix/fault-types.js";
import { startMatrixDevnet } from "./fault-matrix/matrix-devnet.js";
import { pairRows, rowsById, shortRows, singleRows } from "./fault-matrix/matrix-rows.js";
import { matrixMarkdown } from "./fault-matrix/matrix-table.js";
import { type MatrixRow, runFaultRow } from "./fault-matrix/row-runner.js";

const USAGE = `usage: tsx scripts/fault-matrix.ts [--short | --singles | --pairs | --rows id[,id+id…]] [--json]
  (default: every single fault, then the chosen pairs)`;

function rowsOf(args: readonly string[]): MatrixRow[] {
  const rowsAt = args.indexOf("--rows");
  if (rowsAt >= 0) {
    const list = args[rowsAt + 1];
    if (!list) throw new Error(`--rows needs a comma-separated list of row ids\n${USAGE}`);
    return rowsById(list.split(","));
  }
  if (args.includes("--short")) return shortRows();
  if (args.includes("--singles")) return singleRows();
  if (args.includes("--pairs")) return pairRows();
  return [...singleRows(), ...pairRows()];
}

/** Runs the rows one after another on one devnet; prints the table (or JSON) when done. */
async function main(args: readonly string[]): Promise<void> {
  if (args.includes("--help")) {
    console.log(USAGE);
    return;
  }
  const rows = rowsOf(args);
  const json = args.includes("--json");
  const environment = await startMatrixDevnet(rows);
  const results: RowResult[] = [];
  try {
    for (const row of rows) {
      const result = await runFaultRow(row, environment);
      results.push(result);
      console.error(`${result.result.padEnd(14)} ${row.id} (${(result.ms / 1000).toFixed(1)} s)`);
    }
  } finally {
    await environment.stop();
  }
  console.log(json ? JSON.stringify({ rows: results }, null, 2) : matrixMarkdown(results));
  if (results.some((row) => row.result === "fail")) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
