import { type Command, InvalidArgumentError } from "commander";
import { simulate } from "../../simulation/index.js";
import { reportTable } from "../../simulation/report-table.js";
import { cliContext, print } from "../cli-options.js";

interface SimulateOptions {
  days: number;
  providers: number;
  seed: number;
  json?: boolean;
}

export const SIMULATE_DEFAULTS = { days: 30, providers: 50, seed: 1 } as const;

/** A whole number in [min, max], or a one-line error saying what is allowed. */
function wholeNumber(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

export function registerSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description(
      "run the agent's lease policy on a simulated Akash market (simulated clock, no network) beside two baselines: always the cheapest bid, and never migrate",
    )
    .option("--days <n>", "simulated days", wholeNumber(1, 365), SIMULATE_DEFAULTS.days)
    .option("--providers <n>", "providers in the market", wholeNumber(1, 1000), SIMULATE_DEFAULTS.providers)
    .option(
      "--seed <n>",
      "seed of the market: the same seed gives the same providers, events and result",
      wholeNumber(0, 2 ** 32 - 1),
      SIMULATE_DEFAULTS.seed,
    )
    .option(
      "--json",
      'one JSON object: { "days", "seed", "policy": { "availability", "costUact", "migrations", "incidents" }, "baselines": { "cheapest", "neverMigrate" } }',
    )
    .action(async (options: SimulateOptions, command: Command) => {
      const { config } = cliContext(command);
      const tty = process.stderr.isTTY === true;
      const every = Math.max(1, Math.ceil(options.days / 10));
      const run = await simulate({
        days: options.days,
        providers: options.providers,
        seed: options.seed,
        config,
        ...(options.json
          ? {}
          : {
              onProgress: ({ strategy, day, days }) => {
                if (tty) process.stderr.write(`\rsimulating ${strategy}: day ${day}/${days}   `);
                else if (day % every === 0 || day === days) {
                  process.stderr.write(`simulating ${strategy}: day ${day}/${days}\n`);
                }
                if (tty && day === days && strategy === "neverMigrate") process.stderr.write("\n");
              },
            }),
      });
      if (options.json) {
        print(JSON.stringify(run.report));
        return;
      }
      for (const line of reportTable(run, options.providers)) print(line);
    });
}
