import { Command } from "commander";
import { registerDevnetCommand } from "./commands/devnet.js";

/** Builds the `akash-agent` command tree. Each command lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command("akash-agent")
    .description("An autonomous agent that deploys itself onto Akash Network and keeps itself alive")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerDevnetCommand(program);
  return program;
}
