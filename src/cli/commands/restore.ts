import type { Command } from "commander";

export function registerRestoreCommand(program: Command): void {
  program
    .command("restore")
    .description(
      "restore the agent's state into an empty --data from its latest backup, with only its mnemonic",
    )
    .option("--devnet-url <url>", "control URL of a running `akash-agent devnet` (devnet only)")
    .option("--json", 'one JSON line { "id", "seq", "bytes", "sha256", "source", "dseq" }')
    .action(async (options: { devnetUrl?: string; json?: boolean }, command: Command) => {
      const { restoreAction } = await import("./restore-action.js");
      await restoreAction(options, command);
    });
}
