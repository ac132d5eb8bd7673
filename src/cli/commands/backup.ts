import type { Command } from "commander";

export function registerBackupCommand(program: Command): void {
  program
    .command("backup")
    .description("back the agent's state (--data) up to Arweave now, and point to it on Nostr")
    .option("--devnet-url <url>", "control URL of a running `akash-agent devnet` (devnet only)")
    .option("--json", 'one JSON line { "id", "seq", "bytes", "sha256" }')
    .action(async (options: { devnetUrl?: string; json?: boolean }, command: Command) => {
      const { backupAction } = await import("./backup-action.js");
      await backupAction(options, command);
    });
}
