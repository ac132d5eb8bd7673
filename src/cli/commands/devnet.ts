import type { Command } from "commander";

export function registerDevnetCommand(program: Command): void {
  program
    .command("devnet")
    .description("start a local Akash devnet (chain + providers) on loopback")
    .action(() => {
      process.stderr.write("The embedded devnet is not built yet.\n");
      process.exitCode = 1;
    });
}
