import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { AGENT_MACHINE_ID } from "../../runtime/agent-runtime.js";
import { leaseViewFromPersisted, stateName } from "../../runtime/lease-view.js";
import { openAgentStore } from "../../services/store/index.js";
import { cliContext, print } from "../cli-options.js";
import { requireSavedAgentState } from "../saved-agent-state.js";
import { printRemote, readRemoteStatus } from "./remote-status.js";

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("show the agent's lease from its database (--data), without running it")
    .option("--json", 'one JSON line { "state", "dseq", "provider", "uris", "escrowRunwayHours" }')
    .option(
      "--remote <uri>",
      "read a running agent's GET /api/status instead (e.g. where it lives after a handover)",
    )
    .action(async (options: { json?: boolean; remote?: string }, command: Command) => {
      if (options.remote !== undefined) {
        printRemote(await readRemoteStatus(options.remote), options.json);
        return;
      }
      const { config } = cliContext(command);
      requireSavedAgentState(config.dataDir, "status");
      const store = openAgentStore({ dataDir: config.dataDir });
      try {
        const latest = store.snapshots.latest(AGENT_MACHINE_ID);
        if (!latest) throw new UsageError(`the agent in ${config.dataDir} has not saved any state yet`);
        const root = JSON.parse(latest.snapshotJson) as { value: never };
        const view = leaseViewFromPersisted(root) ?? {
          state: "not started",
          dseq: null,
          provider: null,
          uris: [],
          escrowRunwayHours: null,
        };
        if (options.json) {
          print(JSON.stringify(view));
          return;
        }
        print(
          `agent    ${stateName(root.value)} (saved ${new Date(latest.createdAt).toISOString()}, step ${latest.seq})`,
        );
        print(`lease    ${view.state}`);
        print(`dseq     ${view.dseq ?? "-"}`);
        print(`provider ${view.provider ?? "-"}`);
        print(`uris     ${view.uris.join(", ") || "-"}`);
        print(`escrow   ${view.escrowRunwayHours === null ? "-" : `${view.escrowRunwayHours} h of runway`}`);
        const leadership = store.leadership.current();
        if (leadership.state !== "leading" && leadership.leader) {
          print(
            `leader   ${leadership.state.replace("_", " ")}: generation ${leadership.generation} runs at ${leadership.leader.uri} (dseq ${leadership.leader.dseq}); this data directory no longer acts`,
          );
        }
        for (const alert of store.alerts.recent(5)) {
          print(`alert    ${new Date(alert.createdAt).toISOString()} ${alert.severity}: ${alert.title}`);
        }
      } finally {
        store.close();
      }
    });
}
