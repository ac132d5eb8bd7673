import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { cliContext, print } from "../cli-options.js";
import { loadAgentKeys } from "../keystore-access.js";

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

function checkUrl(url: string): void {
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url ${url}: give the agent's base URL, e.g. http://127.0.0.1:8080`);
  }
}

/** Calls the agent's admin API (NIP-98, this keystore's Nostr key or AGENT_MNEMONIC's). */
async function call(
  command: Command,
  url: string,
  action: "spawn" | "retire",
  body: Record<string, unknown>,
): Promise<{ ok: boolean; json: Record<string, unknown> }> {
  const { config } = cliContext(command);
  const keys = await loadAgentKeys(config);
  const { callAdmin } = await import("../../server/admin-client.js");
  let answer: Awaited<ReturnType<typeof callAdmin>>;
  try {
    answer = await callAdmin({ url, action, body, privateKey: keys.nostrKey().privateKey });
  } catch (error) {
    throw new UsageError(
      `${action}: cannot reach ${url} (${error instanceof Error ? error.message : String(error)}): is the agent running there?`,
    );
  }
  const json =
    typeof answer.json === "object" && answer.json !== null && !Array.isArray(answer.json)
      ? (answer.json as Record<string, unknown>)
      : { error: String(answer.json) };
  return { ok: answer.status === 200, json };
}

function report(
  options: { json?: boolean },
  outcome: { ok: boolean; json: Record<string, unknown> },
  line: string,
) {
  if (options.json) print(JSON.stringify(outcome.json));
  else if (outcome.ok) print(line);
  else print(`refused: ${String(outcome.json.error ?? "unknown error")}`);
  if (!outcome.ok) process.exitCode = 1;
}

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
      checkUrl(options.url);
      if (!(ROLES as readonly string[]).includes(options.role)) {
        throw new UsageError(`--role ${options.role}: use replica or specialized`);
      }
      const outcome = await call(command, options.url, "spawn", {
        role: options.role,
        ...(options.region === undefined ? {} : { region: options.region }),
      });
      report(options, outcome, String(outcome.json.agentId));
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
      checkUrl(options.url);
      const outcome = await call(command, options.url, "retire", { agentId });
      report(options, outcome, `${agentId} ${String(outcome.json.state)}`);
    });
}
