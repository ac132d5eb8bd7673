import type { SimulationRun, StrategyName } from "./index.js";

/** The goal the issue sets: availability at least this… */
export const AVAILABILITY_GOAL = 0.999;
/** …at no more than this multiple of the cheapest-bid baseline's cost. */
export const COST_RATIO_GOAL = 1.15;

const LABELS: Record<StrategyName, string> = {
  policy: "policy",
  cheapest: "cheapest",
  neverMigrate: "neverMigrate",
};

/** The human-readable report of a run: one row per strategy, then whether the policy meets the goal. */
export function reportTable(run: SimulationRun, providers: number): string[] {
  const { report, outcomes } = run;
  const rows: [StrategyName, typeof report.policy][] = [
    ["policy", report.policy],
    ["cheapest", report.baselines.cheapest],
    ["neverMigrate", report.baselines.neverMigrate],
  ];
  const cheapestCost = Number(report.baselines.cheapest.costUact);
  const header = [
    "strategy".padEnd(14),
    "availability".padStart(13),
    "downtime".padStart(11),
    "cost (uact)".padStart(13),
    "cost ($)".padStart(10),
    "× cheapest".padStart(11),
    "migrations".padStart(11),
    "incidents".padStart(10),
    "alerts".padStart(8),
  ].join("");
  const lines = [
    `Market simulation: ${report.days} days, ${providers} providers, seed ${report.seed}; deployment priced at ${run.targetPricePerBlock.toFixed(3)} uact/block by the providers' default script, max price ${run.maxPriceUact}`,
    "",
    header,
  ];
  for (const [name, figures] of rows) {
    const outcome = outcomes[name];
    const ratio = cheapestCost > 0 ? Number(figures.costUact) / cheapestCost : Number.NaN;
    lines.push(
      [
        LABELS[name].padEnd(14),
        `${(figures.availability * 100).toFixed(4)} %`.padStart(13),
        `${(outcome.downMs / 60_000).toFixed(1)} min`.padStart(11),
        figures.costUact.padStart(13),
        (Number(figures.costUact) / 1e6).toFixed(2).padStart(10),
        `${ratio.toFixed(2)}×`.padStart(11),
        String(figures.migrations).padStart(11),
        String(figures.incidents).padStart(10),
        String(outcome.alerts).padStart(8),
      ].join(""),
    );
  }
  const policyRatio = cheapestCost > 0 ? Number(report.policy.costUact) / cheapestCost : Number.NaN;
  const available = report.policy.availability >= AVAILABILITY_GOAL;
  const affordable = policyRatio <= COST_RATIO_GOAL;
  lines.push(
    "",
    `goal: availability ≥ ${AVAILABILITY_GOAL * 100} % (${available ? "met" : "missed"}) at ≤ ${COST_RATIO_GOAL}× the cheapest-bid cost (${affordable ? "met" : "missed"}: ${policyRatio.toFixed(2)}×)`,
  );
  const failed = Object.values(outcomes).filter((outcome) => outcome.failedFlows > 0);
  for (const outcome of failed) {
    lines.push(
      `${outcome.strategy}: the lease gave up ${outcome.failedFlows} time(s) and waited for the operator`,
    );
  }
  return lines;
}
