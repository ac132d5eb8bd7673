#!/usr/bin/env node
import { CommanderError } from "commander";
import { buildProgram } from "./cli/program.js";
import { AgentError } from "./errors.js";
import { isIdleGoawayError } from "./services/akash/idle-goaway.js";

async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv.slice(2))).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof AgentError) {
      process.stderr.write(`akash-agent: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}

process.on("uncaughtException", (error) => {
  if (isIdleGoawayError(error)) return;
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

await main(process.argv);
