import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { AdminAction } from "../server/admin-actions.js";
import { cliContext, print } from "./cli-options.js";
import { loadAgentKeys } from "./keystore-access.js";

export interface AdminOutcome {
  readonly ok: boolean;
  readonly json: Record<string, unknown>;
}

/** Refuses a `--url` that is not a URL, naming the flag and an example. */
export function checkAgentUrl(url: string): void {
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url ${url}: give the agent's base URL, e.g. http://127.0.0.1:8080`);
  }
}

/** Calls the agent's admin API (NIP-98, this keystore's Nostr key or AGENT_MNEMONIC's). */
export async function callAgentAdmin(
  command: Command,
  url: string,
  action: AdminAction,
  body: Record<string, unknown>,
): Promise<AdminOutcome> {
  const { config } = cliContext(command);
  const keys = await loadAgentKeys(config);
  const { callAdmin } = await import("../server/admin-client.js");
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

/** Prints the answer (`--json`: as it came; else `line`, or the refusal) and sets exit code 1 on a refusal. */
export function reportAdminOutcome(options: { json?: boolean }, outcome: AdminOutcome, line: string): void {
  if (options.json) print(JSON.stringify(outcome.json));
  else if (outcome.ok) print(line);
  else print(`refused: ${String(outcome.json.error ?? "unknown error")}`);
  if (!outcome.ok) process.exitCode = 1;
}
