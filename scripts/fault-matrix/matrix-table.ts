import type { RowResult } from "./fault-types.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

/** The matrix as a markdown table, then one line per problem of the rows that did not pass. */
export function matrixMarkdown(results: readonly RowResult[]): string {
  const lines = [
    "| fault | where injected | expected policy | what happened | time to recover | alerts sent | funds spent | orphaned | result |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of results) {
    lines.push(
      `| ${[
        row.faults.join(" + "),
        row.where,
        `${row.expect}: ${row.policy}`,
        row.happened,
        seconds(row.recoverMs),
        row.alerts.join("; ") || "none",
        row.funds || "—",
        row.orphaned === null ? "—" : String(row.orphaned),
        row.result,
      ]
        .map(cell)
        .join(" | ")} |`,
    );
  }
  const notes = results.filter((row) => row.result !== "pass");
  if (notes.length > 0) {
    lines.push("", "Rows that did not pass:", "");
    for (const row of notes) {
      const why = [...(row.note ? [row.note] : []), ...row.problems];
      lines.push(`- **${row.id}** (${row.result}): ${why.join("; ")}`);
    }
  }
  const count = (kind: RowResult["result"]) => results.filter((row) => row.result === kind).length;
  lines.push(
    "",
    `${results.length} rows: ${count("pass")} pass, ${count("fail")} fail, ${count("limit")} documented limit, ${count("not injectable")} not injectable.`,
  );
  return lines.join("\n");
}
