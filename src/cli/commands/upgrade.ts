import type { Command } from "commander";
import { AgentError, UsageError } from "../../errors.js";
import { callAgentAdmin, checkAgentUrl, reportAdminOutcome } from "../admin-call.js";
import { print } from "../cli-options.js";
import { waitForUpgrade } from "../upgrade-wait.js";

interface UpgradeOptions {
  url: string;
  image: string;
  json?: boolean;
  wait?: boolean;
  timeout: string;
}

export function registerUpgradeCommand(program: Command): void {
  program
    .command("upgrade")
    .description(
      "ask a running agent to move to another image of itself: a canary first, then a handover, rolled back by itself if the new version fails",
    )
    .requiredOption("--url <url>", "the agent's HTTP base URL, e.g. http://127.0.0.1:8080")
    .requiredOption("--image <image>", "the image with its tag, e.g. ghcr.io/akash-agent/agent-relay:0.2.0")
    .option("--wait", "wait until the upgrade ends (upgraded or rolled_back), showing each step")
    .option("--timeout <seconds>", "with --wait: give up waiting after this many seconds", "7200")
    .option(
      "--json",
      'print the answer as JSON: { "from", "to", "state" } (with --wait: the end, and "reason")',
    )
    .action(async (options: UpgradeOptions, command: Command) => {
      checkAgentUrl(options.url);
      const timeoutSeconds = Number(options.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
        throw new UsageError(`--timeout ${options.timeout}: give a number of seconds above 0`);
      }
      const outcome = await callAgentAdmin(command, options.url, "upgrade", { image: options.image });
      if (!outcome.ok || !options.wait) {
        const { from, to, state } = outcome.json;
        reportAdminOutcome(
          options,
          outcome.ok ? { ok: true, json: { from, to, state } } : outcome,
          `${String(from)} → ${String(to)}: ${String(state)}`,
        );
        return;
      }
      process.stderr.write(`upgrading ${String(outcome.json.from)} → ${options.image}\n`);
      let ended: Awaited<ReturnType<typeof waitForUpgrade>>;
      try {
        ended = await waitForUpgrade({
          url: options.url,
          image: options.image,
          timeoutMs: timeoutSeconds * 1000,
          onProgress: (step) => process.stderr.write(`  ${step.state}\n`),
        });
      } catch (error) {
        throw new AgentError(`upgrade: ${(error as Error).message}`, 1);
      }
      if (options.json) print(JSON.stringify(ended));
      else print(`${ended.from} → ${ended.to}: ${ended.state}${ended.reason ? ` (${ended.reason})` : ""}`);
      if (ended.state !== "upgraded") process.exitCode = 1;
    });
}
