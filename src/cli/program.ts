import { Command } from "commander";
import { addGlobalOptions } from "./cli-options.js";
import { registerAdminCommand } from "./commands/admin.js";
import { registerBackupCommand } from "./commands/backup.js";
import { registerCostCommand } from "./commands/cost.js";
import { registerDevnetCommand } from "./commands/devnet.js";
import { registerInitCommand } from "./commands/init.js";
import { registerKeysCommand } from "./commands/keys.js";
import { registerRestoreCommand } from "./commands/restore.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSdlCommand } from "./commands/sdl.js";
import { registerSimulateCommand } from "./commands/simulate.js";
import { registerStatusCommand } from "./commands/status.js";
import { registerTreasuryCommand } from "./commands/treasury.js";
import { registerWatchCommand } from "./commands/watch.js";

/** Builds the `akash-agent` command tree. Each command lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = addGlobalOptions(
    new Command("akash-agent")
      .description("An autonomous agent that deploys itself onto Akash Network and keeps itself alive")
      .showHelpAfterError("(run with --help for usage)")
      .exitOverride(),
  );
  registerInitCommand(program);
  registerKeysCommand(program);
  registerRunCommand(program);
  registerStatusCommand(program);
  registerTreasuryCommand(program);
  registerSdlCommand(program);
  registerCostCommand(program);
  registerDevnetCommand(program);
  registerBackupCommand(program);
  registerRestoreCommand(program);
  registerWatchCommand(program);
  registerAdminCommand(program);
  registerSimulateCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}
