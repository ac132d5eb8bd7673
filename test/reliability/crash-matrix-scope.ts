/**
 * Which rows of the crash matrices run, from AGENT_FULL_CRASH_MATRIX:
 * - unset: each matrix's default subset (what `npm test` runs);
 * - `1`: every row;
 * - `rest`: the rows outside the default subset only, so that `npm test` followed by a `rest` run
 *   (`npm run test:crash-rest`, which `.ci/run` does) covers the full matrix without running a row twice.
 */
export type CrashMatrixScope = "default" | "full" | "rest";

function scopeOf(value: string | undefined): CrashMatrixScope {
  if (value === undefined || value === "" || value === "0") return "default";
  if (value === "1") return "full";
  if (value === "rest") return "rest";
  throw new Error(
    `AGENT_FULL_CRASH_MATRIX=${JSON.stringify(value)}: give 1 (every row), rest (the rows outside the default subset) or leave it unset (the default subset)`,
  );
}

export const CRASH_MATRIX_SCOPE: CrashMatrixScope = scopeOf(process.env.AGENT_FULL_CRASH_MATRIX);

/** Every row runs (longer timeouts are due). */
export const FULL_CRASH_MATRIX = CRASH_MATRIX_SCOPE !== "default";

/** Whether a row runs in this scope. */
export function runsInScope(row: { readonly inDefault: boolean }): boolean {
  if (CRASH_MATRIX_SCOPE === "full") return true;
  return CRASH_MATRIX_SCOPE === "rest" ? !row.inDefault : row.inDefault;
}

/** How a matrix's describe title names the scope. */
export function scopeTitle(): string {
  switch (CRASH_MATRIX_SCOPE) {
    case "full":
      return "full";
    case "rest":
      return "rows outside the default subset";
    default:
      return "default subset; AGENT_FULL_CRASH_MATRIX=1 for all";
  }
}
