import { agentMachine } from "./agent/agent.machine.js";
import { backupMachine } from "./backup/backup.machine.js";
import { describeChart } from "./describe-chart.js";
import { healthMachine } from "./health/health.machine.js";
import { keyRotationMachine } from "./keys/keys.machine.js";
import { leaseMachine } from "./lease/lease.machine.js";
import { reproductionMachine } from "./reproduction/reproduction.machine.js";
import { siblingWatchMachine } from "./sibling-watch/sibling-watch.machine.js";
import { treasuryMachine } from "./treasury/treasury.machine.js";

const machines = {
  agent: agentMachine,
  lease: leaseMachine,
  health: healthMachine,
  keys: keyRotationMachine,
  treasury: treasuryMachine,
  reproduction: reproductionMachine,
  siblingWatch: siblingWatchMachine,
  backup: backupMachine,
};

/** The chart of every machine, keyed by the docs file it belongs in. */
export function chartDocuments(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(machines).map(([name, machine]) => [
      `docs/charts/${name}.md`,
      `# The ${name} machine\n\nGenerated from \`src/machines\` by \`npm run docs:charts\`; do not edit by hand.\nEach state lists what it invokes and its transitions (event [guard] → target), in the order XState tries them.\n\n${describeChart(machine)}`,
    ]),
  );
}
