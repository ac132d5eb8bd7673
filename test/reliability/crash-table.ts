import type { RowResult } from "./crash-row-runner.js";

const COLUMNS = [
  ["#", 3],
  ["flow", 16],
  ["kill point", 44],
  ["killed in", 28],
  ["restored from", 28],
  ["resumed", 7],
  ["target", 7],
  ["chain", 5],
  ["store", 5],
  ["expected", 13],
  ["result", 6],
  ["s", 5],
] as const;

const mark = (ok: boolean) => (ok ? "yes" : "NO");
const check = (problems: readonly string[]) => (problems.length === 0 ? "ok" : "FAIL");

function cells(index: number, result: RowResult): string[] {
  const killed = result.setup.length > 0 ? `(${result.killedIn}) !` : result.killedIn;
  return [
    String(index + 1),
    result.row.flow,
    result.label,
    killed,
    result.restoredFrom ?? "—",
    mark(result.resumed),
    mark(result.reached),
    check(result.chain),
    check(result.store),
    result.row.knownFailure ? "known failure" : "ok",
    result.ok ? "ok" : "FAIL",
    (result.ms / 1000).toFixed(1),
  ];
}

/**
 * The matrix as a text table (one row per kill point: where it died, where the database restored it,
 * whether it resumed, reached its target, and passed the chain and store checks), then every
 * problem and note by row number.
 */
export function formatCrashTable(results: readonly RowResult[], wallMs: number): string {
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(COLUMNS[i]![1]))
      .join(" │ ")
      .trimEnd();
  const header = line(COLUMNS.map(([name]) => name));
  const out = [header, "─".repeat(header.length), ...results.map((result, i) => line(cells(i, result)))];
  const failed = results.filter((result) => !result.ok).length;
  out.push(
    "",
    `${results.length} kill points, ${results.length - failed} ok, ${failed} failed; matrix wall time ${(wallMs / 1000).toFixed(1)} s`,
  );
  results.forEach((result, i) => {
    const details = [
      ...result.setup.map((text) => `kill: ${text}`),
      ...(result.reached ? [] : [`target: ${result.target}`]),
      ...(result.resumed ? [] : ["did not resume from the stored snapshot"]),
      ...result.chain.map((text) => `chain: ${text}`),
      ...result.store.map((text) => `store: ${text}`),
      ...result.notes.map((text) => `note: ${text}`),
      ...(result.row.knownFailure
        ? [
            `known failure: ${result.row.knownFailure}${result.ok ? " — the row now passes: drop the mark" : ""}`,
          ]
        : []),
    ];
    if (details.length > 0) out.push(`  ${i + 1}. ${details.join("\n     ")}`);
  });
  return out.join("\n");
}
