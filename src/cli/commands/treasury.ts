import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { type TreasuryView, treasuryView } from "../../machines/index.js";
import type { TreasuryContext } from "../../machines/treasury/treasury.context.js";
import { AGENT_MACHINE_ID } from "../../runtime/agent-runtime.js";
import { openAgentStore } from "../../services/store/index.js";
import { cliContext, print } from "../cli-options.js";
import { requireSavedAgentState } from "../saved-agent-state.js";

/** The treasury child's context inside the root's persisted snapshot, if it ran. */
function treasuryContextOf(root: unknown): TreasuryContext | null {
  const persisted = root as { children?: { treasury?: { snapshot?: { context?: TreasuryContext } } } };
  return persisted.children?.treasury?.snapshot?.context ?? null;
}

function amount(value: string | null, unit: string, scale: number): string {
  if (value === null) return "-";
  return `${(Number(value) / scale).toLocaleString("en-US", { maximumFractionDigits: 6 })} ${unit} (${value})`;
}

function printText(view: TreasuryView): void {
  print(`akash    ${amount(view.akash.uakt, "AKT", 1e6)}, ${amount(view.akash.uact, "ACT", 1e6)}`);
  print(`escrow   ${amount(view.akash.escrowUact, "ACT", 1e6)}`);
  print(`cronos   ${amount(view.cronos.croWei, "CRO", 1e18)}, ${amount(view.cronos.aktUnits, "AKT", 1e6)}`);
  print(`runway   ${view.runwayDays === null ? "- (nothing burns yet)" : `${view.runwayDays} days`}`);
  print(`tier     ${view.tier ?? "-"}`);
  print(`spent    $${view.spentTodayUsd.toFixed(2)} today of $${view.capUsdPerDay} a day`);
}

export function registerTreasuryCommand(program: Command): void {
  program
    .command("treasury")
    .description(
      "show the agent's treasury (balances, runway, tier, spend) from its database (--data), without running it",
    )
    .option(
      "--json",
      'one JSON line { "akash": { "uakt", "uact", "escrowUact" }, "cronos": { "croWei", "aktUnits" }, "runwayDays", "tier", "spentTodayUsd", "capUsdPerDay" }',
    )
    .action((options: { json?: boolean }, command: Command) => {
      const { config } = cliContext(command);
      requireSavedAgentState(config.dataDir, "treasury");
      const store = openAgentStore({ dataDir: config.dataDir });
      try {
        const latest = store.snapshots.latest(AGENT_MACHINE_ID);
        const context = latest ? treasuryContextOf(JSON.parse(latest.snapshotJson)) : null;
        if (!context) {
          throw new UsageError(
            `the agent in ${config.dataDir} has not run its treasury yet (it starts once the Akash account is funded)`,
          );
        }
        const view = treasuryView(context, Date.now());
        if (options.json) print(JSON.stringify(view));
        else printText(view);
      } finally {
        store.close();
      }
    });
}
