import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { ADMIN_ACTIONS, type AdminAction } from "../../server/admin-actions.js";
import { cliContext, print } from "../cli-options.js";
import { loadAgentKeys } from "../keystore-access.js";

interface AdminOptions {
  url: string;
  body?: string;
}

function parseBody(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--body ${text}: not JSON; give an object such as '{"key":"identity"}'`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`--body ${text}: give a JSON object such as '{"key":"identity"}'`);
  }
  return value as Record<string, unknown>;
}

export function registerAdminCommand(program: Command): void {
  program
    .command("admin")
    .description(
      `call a running agent's admin API, signed (NIP-98) with this keystore's Nostr key: ${ADMIN_ACTIONS.join(", ")}`,
    )
    .argument("<action>", ADMIN_ACTIONS.join(" | "))
    .requiredOption("--url <url>", "the agent's HTTP base URL, e.g. http://127.0.0.1:8080")
    .option("--body <json>", 'the call\'s JSON body, e.g. \'{"key":"identity"}\' for rotate-keys')
    .action(async (action: string, options: AdminOptions, command: Command) => {
      if (!(ADMIN_ACTIONS as readonly string[]).includes(action)) {
        throw new UsageError(`admin ${action}: use one of ${ADMIN_ACTIONS.join(", ")}`);
      }
      try {
        new URL(options.url);
      } catch {
        throw new UsageError(`--url ${options.url}: give the agent's base URL, e.g. http://127.0.0.1:8080`);
      }
      const body = parseBody(options.body);
      const { config } = cliContext(command);
      const keys = await loadAgentKeys(config);
      // Loaded here, not at start-up: the other commands need no Nostr signing.
      const { callAdmin } = await import("../../server/admin-client.js");
      const answer = await callAdmin({
        url: options.url,
        action: action as AdminAction,
        ...(body ? { body } : {}),
        privateKey: keys.nostrKey().privateKey,
      });
      print(JSON.stringify(answer.json));
      if (answer.status !== 200) process.exitCode = 1;
    });
}
