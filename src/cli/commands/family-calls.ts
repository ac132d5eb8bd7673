import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { callAgentAdmin, checkAgentUrl, reportAdminOutcome } from "../admin-call.js";

interface SpawnOptions {
  url: string;
  role: string;
  region?: string;
  json?: boolean;
}

interface RetireOptions {
  url: string;
  json?: boolean;
}

const ROLES = ["replica", "specialized"] as const;

export function registerSpawnCommand(program: Command): void {
  program
    .command("spawn")
    .description(
      "ask a running agent to spawn a child now (the same gates as its own triggers); prints the child's agentId",
    )
    .requiredOption("--url <url>", "the agent's HTTP base URL, e.g. http://127.0.0.1:8080")
    .requiredOption("--role <role>", ROLES.join(" | "))
    .option(
      "--region <region>",
      "the region to place the child in (a provider's region attribute, e.g. us-west)",
    )
    .option("--json", 'print the answer as JSON: { "ok", "agentId", "state", "requestId" }')
    .action(async (options: SpawnOptions, command: Command) => {
      checkAgentUrl(options.url);
      if (!(ROLES as readonly string[]).includes(options.role)) {
        throw new UsageError(`--role ${options.role}: use replica or specialized`);
      }
      const outcome = await callAgentAdmin(command, options.url, "spawn", {
        role: options.role,
        ...(options.region === undefined ? {} : { region: options.region }),
      });
      reportAdminOutcome(options, outcome, String(outcome.json.agentId));
    });
}

export function registerRetireCommand(program: Command): void {
  program
    .command("retire")
    .description(
      "ask a running agent to retire a child: close its lease, sweep its account, revoke its grants",
    )
    .argument("<agentId>", "the child's agentId (see `akash-agent family`)")
    .requiredOption("--url <url>", "the parent agent's HTTP base URL, e.g. http://127.0.0.1:8080")
    .option("--json", 'print the answer as JSON: { "ok", "agentId", "state" }')
    .action(async (agentId: string, options: RetireOptions, command: Command) => {
      checkAgentUrl(options.url);
      const outcome = await callAgentAdmin(command, options.url, "retire", { agentId });
      reportAdminOutcome(options, outcome, `${agentId} ${String(outcome.json.state)}`);
    });
}
