import { Command, CommanderError } from "commander";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerSimulateCommand } from "../../src/cli/commands/simulate.js";
import { type CliResult, runCli } from "../../support/run-cli.js";

/** Runs `simulate` in this process (the CLI's start-up is what costs in a spawned run). */
async function simulateInProcess(
  args: string[],
): Promise<{ stdout: string; stderr: string; error: unknown }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command("akash-agent").exitOverride().configureOutput({
    writeErr: (text) => {
      stderr += text;
    },
  });
  registerSimulateCommand(program);
  for (const command of program.commands) command.exitOverride();
  let error: unknown = null;
  try {
    await program.parseAsync(["node", "akash-agent", "simulate", ...args]);
  } catch (caught) {
    error = caught;
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr, error };
}

const jsonArgs = ["simulate", "--days", "3", "--providers", "20", "--seed", "7", "--json"];
const badInput: [string[], string][] = [
  [["--days", "0"], "'--days <n>' argument '0' is invalid. must be a whole number from 1 to 365"],
  [
    ["--providers", "abc"],
    "'--providers <n>' argument 'abc' is invalid. must be a whole number from 1 to 1000",
  ],
  [["--seed", "-1"], "'--seed <n>' argument '-1' is invalid. must be a whole number from 0 to 4294967295"],
];

describe("akash-agent simulate", () => {
  // The CLI's start-up dominates each run: start them all at once.
  let json: CliResult;
  let jsonAgain: CliResult;
  let refused: CliResult;
  beforeAll(async () => {
    [json, jsonAgain, refused] = await Promise.all([
      runCli(jsonArgs),
      runCli(jsonArgs),
      runCli(["simulate", "--days", "0", "--json"]),
    ]);
  }, 60_000);
  afterEach(() => vi.restoreAllMocks());

  it("prints exactly the JSON contract, and the same result for the same seed", () => {
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(jsonAgain.stdout);
    // --json prints no progress: stderr stays empty.
    expect(json.stderr).toBe("");
    const report = JSON.parse(json.stdout);
    expect(Object.keys(report)).toEqual(["days", "seed", "policy", "baselines"]);
    expect(report.days).toBe(3);
    expect(report.seed).toBe(7);
    expect(Object.keys(report.baselines)).toEqual(["cheapest", "neverMigrate"]);
    for (const figures of [report.policy, report.baselines.cheapest, report.baselines.neverMigrate]) {
      expect(Object.keys(figures)).toEqual(["availability", "costUact", "migrations", "incidents"]);
      expect(typeof figures.availability).toBe("number");
      expect(figures.availability).toBeGreaterThanOrEqual(0);
      expect(figures.availability).toBeLessThanOrEqual(1);
      expect(figures.costUact).toMatch(/^[0-9]+$/);
      expect(Number.isInteger(figures.migrations)).toBe(true);
      expect(Number.isInteger(figures.incidents)).toBe(true);
    }
  });

  it("prints a table with the goal (seed 1 by default), and progress on stderr", async () => {
    const table = await simulateInProcess(["--days", "2", "--providers", "10"]);
    expect(table.error).toBeNull();
    expect(table.stdout).toContain("seed 1");
    expect(table.stdout).toMatch(/^policy\s+\d+\.\d{4} %/m);
    expect(table.stdout).toMatch(/^cheapest\s/m);
    expect(table.stdout).toMatch(/^neverMigrate\s/m);
    expect(table.stdout).toMatch(/goal: availability ≥ 99\.9 % \((met|missed)\)/);
    expect(table.stderr).toContain("simulating neverMigrate: day 2/2");
  });

  it("refuses bad flags with exit 2 and a line naming the flag and what is allowed", async () => {
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain(badInput[0]?.[1]);
    for (const [flags, message] of badInput) {
      const result = await simulateInProcess([...flags, "--json"]);
      // main.ts turns every CommanderError into exit code 2.
      expect(result.error).toBeInstanceOf(CommanderError);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(message);
    }
  });
});
