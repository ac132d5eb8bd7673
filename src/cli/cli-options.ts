import { type Command, InvalidArgumentError } from "commander";
import { type AgentConfig, loadConfig } from "../config/index.js";
import { createLogger, type Logger } from "../logging/index.js";
import { knownSecretValues } from "../services/keys/secret.js";

/** Options every command accepts (declared once on the program). */
export interface GlobalOptions {
  config?: string;
  data?: string;
  network?: string;
  logJson?: boolean;
  logLevel?: string;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option("--config <file>", "YAML config file (settings: see README)")
    .option("--data <dir>", "data directory (keystore, database)")
    .option("--network <name>", "devnet | sandbox | mainnet")
    .option("--log-json", "log JSON lines instead of human-readable lines")
    .option("--log-level <level>", "trace | debug | info | warn | error | silent");
}

/** A commander argument parser for a number flag, with a one-line error naming what is allowed. */
export function numberFlag(options: { min?: number; integer?: boolean; positive?: boolean } = {}) {
  return (raw: string): number => {
    const value = Number(raw);
    const allowed = `must be ${options.integer ? "an integer" : "a number"}${
      options.positive ? " > 0" : options.min !== undefined ? ` >= ${options.min}` : ""
    }`;
    if (raw.trim() === "" || !Number.isFinite(value)) throw new InvalidArgumentError(allowed);
    if (options.integer && !Number.isInteger(value)) throw new InvalidArgumentError(allowed);
    if (options.positive && value <= 0) throw new InvalidArgumentError(allowed);
    if (options.min !== undefined && value < options.min) throw new InvalidArgumentError(allowed);
    return value;
  };
}

export interface CliContext {
  config: AgentConfig;
  logger: Logger;
}

/**
 * Settings for a command: the YAML file, `AGENT_*` variables, then the global flags and the
 * command's own flags (keyed by config path).
 */
export function cliContext(command: Command, flags: Record<string, unknown> = {}): CliContext {
  const global = command.optsWithGlobals<GlobalOptions>();
  const config = loadConfig({
    ...(global.config ? { file: global.config } : {}),
    env: process.env,
    flags: {
      dataDir: global.data,
      network: global.network,
      "log.json": global.logJson ? true : undefined,
      "log.level": global.logLevel,
      ...flags,
    },
  });
  const logger = createLogger({ level: config.log.level, json: config.log.json, secrets: knownSecretValues });
  return { config, logger };
}

/** Writes one line of output (stdout is for results; logs go to stderr). */
export function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}
