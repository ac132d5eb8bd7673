import { Command } from "commander";
import { addGlobalOptions } from "./cli-options.js";

type Registrar = (program: Command) => void;

/**
 * Every command, in the order `--help` lists them, each loaded only when it is used: a command's
 * file pulls in what its action needs (the chain clients, the devnet, the server…), and loading all
 * of them took seconds on every run of a small command.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Registrar>>> = {
  init: async () => (await import("./commands/init.js")).registerInitCommand,
  keys: async () => (await import("./commands/keys.js")).registerKeysCommand,
  run: async () => (await import("./commands/run.js")).registerRunCommand,
  status: async () => (await import("./commands/status.js")).registerStatusCommand,
  treasury: async () => (await import("./commands/treasury.js")).registerTreasuryCommand,
  family: async () => (await import("./commands/family.js")).registerFamilyCommand,
  sdl: async () => (await import("./commands/sdl.js")).registerSdlCommand,
  cost: async () => (await import("./commands/cost.js")).registerCostCommand,
  devnet: async () => (await import("./commands/devnet.js")).registerDevnetCommand,
  backup: async () => (await import("./commands/backup.js")).registerBackupCommand,
  restore: async () => (await import("./commands/restore.js")).registerRestoreCommand,
  watch: async () => (await import("./commands/watch.js")).registerWatchCommand,
  admin: async () => (await import("./commands/admin.js")).registerAdminCommand,
  simulate: async () => (await import("./commands/simulate.js")).registerSimulateCommand,
  spawn: async () => (await import("./commands/family-calls.js")).registerSpawnCommand,
  retire: async () => (await import("./commands/family-calls.js")).registerRetireCommand,
  upgrade: async () => (await import("./commands/upgrade.js")).registerUpgradeCommand,
};

/** The command names, in `--help` order. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/**
 * Builds the `akash-agent` command tree. Each command lives in its own file under ./commands. Given
 * the arguments, only the commands named in them are loaded (every one when none is named, for
 * `--help` and for an unknown command's suggestion); with none given, every command is.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = addGlobalOptions(
    new Command("akash-agent")
      .description("An autonomous agent that deploys itself onto Akash Network and keeps itself alive")
      .showHelpAfterError("(run with --help for usage)")
      .exitOverride(),
  );
  // An option's value may spell a command's name (`--data status run`): loading one more is harmless.
  const named = args ? COMMAND_NAMES.filter((name) => args.includes(name)) : [];
  const wanted = named.length > 0 ? named : COMMAND_NAMES;
  const registrars = await Promise.all(wanted.map((name) => COMMANDS[name]!()));
  for (const register of registrars) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}
