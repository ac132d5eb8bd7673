import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, CommanderError } from "commander";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { AgentError } from "../../src/errors.js";
import { generateMnemonic } from "../../src/services/keys/index.js";
import { runCli } from "../../support/run-cli.js";
import {
  awkwardText,
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
  mnemonicSpellings,
  withinMs,
} from "../support/input-fuzz.js";

/**
 * Command lines for `akash-agent`, fuzzed, through the real commander program (no process spawned):
 * every command path with its own and the global flags, given any values, plus unknown flags and stray
 * words. Commands that only compute (`sdl`, `cost`, `keys show` from AGENT_MNEMONIC) run for real;
 * the others keep their parsers and flag checks but have their action replaced by a recorder, so no
 * fuzzed line starts an agent, a devnet or a network call. Each line ends in a result, a CommanderError
 * (usage, exit 2) or an AgentError naming the problem: never another exception, a hang or the mnemonic.
 */
const MNEMONIC = generateMnemonic().reveal();
const SECRETS = mnemonicSpellings(MNEMONIC);
const RUN_FOR_REAL = new Set(["sdl", "cost", "keys show"]);

const saved = { ...process.env };
let dataDir = "";

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "cli-fuzz-"));
  for (const name of Object.keys(process.env)) if (name.startsWith("AGENT_")) delete process.env[name];
  process.env.AGENT_MNEMONIC = MNEMONIC;
  process.env.AGENT_DATA_DIR = dataDir;
});

afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  rmSync(dataDir, { recursive: true, force: true });
});

interface CommandShape {
  readonly path: string[];
  readonly options: Array<{ long: string; takesValue: boolean }>;
}

function shapes(program: Command): CommandShape[] {
  const out: CommandShape[] = [];
  const walk = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      const here = [...path, sub.name()];
      out.push({
        path: here,
        options: sub.options.flatMap((option) =>
          option.long ? [{ long: option.long, takesValue: option.required || option.optional }] : [],
        ),
      });
      walk(sub, here);
    }
  };
  walk(program, []);
  return out;
}

const GLOBAL_OPTIONS = [
  { long: "--config", takesValue: true },
  { long: "--data", takesValue: true },
  { long: "--network", takesValue: true },
  { long: "--log-json", takesValue: false },
  { long: "--log-level", takesValue: true },
];

const commandShapes = shapes(await buildProgram());

const flagValue = fc.oneof(
  awkwardText,
  fc.double().map(String),
  fc.integer({ min: -10, max: 100_000 }).map(String),
  fc.constantFrom(
    "devnet",
    "mainnet",
    "sky",
    "ws://127.0.0.1:1",
    "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
    "-",
    "--",
    "/",
    ".",
    "{}",
    '{"a":1}',
  ),
);

const commandLine = fc.constantFrom(...commandShapes).chain((shape) =>
  fc
    .array(
      fc.oneof(
        {
          weight: 6,
          arbitrary: fc
            .tuple(fc.constantFrom(...shape.options, ...GLOBAL_OPTIONS), flagValue)
            .map(([option, value]) => (option.takesValue ? [option.long, value] : [option.long])),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...shape.options, ...GLOBAL_OPTIONS).map((option) => [option.long]),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom(...shape.options, ...GLOBAL_OPTIONS), flagValue)
            .map(([option, value]) => [`${option.long}=${value}`]),
        },
        {
          weight: 1,
          arbitrary: fc
            .oneof(awkwardText, fc.constantFrom("--unknown", "-x", "--json=1", "--no-such", "--help"))
            .map((word) => [word]),
        },
      ),
      { maxLength: 6 },
    )
    .map((parts) => ({ path: shape.path, args: [...shape.path, ...parts.flat()] })),
);

/**
 * Whether a command with subcommands also acts by itself (`devnet` runs a devnet, `devnet stop` stops
 * one): commander keeps the handler in a private field.
 */
function hasOwnAction(command: Command): boolean {
  return (command as unknown as { _actionHandler: unknown })._actionHandler != null;
}

/** Runs one command line through the program, capturing what it writes. */
async function runLine(args: string[]): Promise<{ error: unknown; output: string; recorded: string[] }> {
  const program = await buildProgram();
  const recorded: string[] = [];
  const output: string[] = [];
  const replaceActions = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      const here = [...path, sub.name()];
      sub.configureOutput({ writeOut: (text) => output.push(text), writeErr: (text) => output.push(text) });
      if (!RUN_FOR_REAL.has(here.join(" ")) && (sub.commands.length === 0 || hasOwnAction(sub))) {
        sub.action(() => {
          recorded.push(here.join(" "));
        });
      }
      replaceActions(sub, here);
    }
  };
  program.configureOutput({ writeOut: (text) => output.push(text), writeErr: (text) => output.push(text) });
  replaceActions(program, []);
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  const exitCode = process.exitCode;
  let error: unknown = null;
  try {
    await withinMs(10_000, args.join(" "), () => program.parseAsync(["node", "akash-agent", ...args]));
  } catch (caught) {
    error = caught;
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.exitCode = exitCode;
  }
  return { error, output: output.join(""), recorded };
}

describe("fuzzing akash-agent command lines (in process, commander with exitOverride)", () => {
  it("ends every command line in a result, a usage error or an AgentError, never a crash or the mnemonic", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(commandLine, async ({ args }) => {
        const { error, output } = await runLine(args);
        const outcome =
          error === null
            ? "ok"
            : error instanceof CommanderError
              ? "usage"
              : error instanceof AgentError
                ? "agent"
                : "crash";
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (outcome === "crash")
          throw new Error(`${args.join(" ")} threw ${String((error as Error)?.stack ?? error)}`);
        if (error instanceof AgentError) {
          expect(error.message).not.toContain("\n");
          expectNoSecretIn(error.message, SECRETS, `the error of ${args.join(" ")}`);
        }
        expectNoSecretIn(output, SECRETS, `the output of ${args.join(" ")}`);
      }),
      fuzzParameters(250),
    );
    // The runs reached every ending: results, usage errors and AgentErrors (a bad setting, a bad value).
    expect(Object.fromEntries(outcomes)).toMatchObject({
      ok: expect.any(Number),
      usage: expect.any(Number),
      agent: expect.any(Number),
    });
  });

  it("runs the computing commands for real on good lines (the recorder is not all that answers)", async () => {
    const { error, output } = await runLine(["cost", "--budget-usd-day", "5", "--json"]);
    expect(error).toBeNull();
    expect(JSON.parse(output)).toMatchObject({ budgetUsdPerDay: 5 });
    const keys = await runLine(["keys", "show", "--json"]);
    expect(keys.error).toBeNull();
    expect(JSON.parse(keys.output)).toMatchObject({ akash: expect.stringMatching(/^akash1/) });
  });

  // A few lines through the built binary: main.ts turns each ending into its exit code and one stderr line.
  it("exits 2 with one line naming the problem from the built CLI, without the mnemonic", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    const env = { AGENT_MNEMONIC: MNEMONIC, AGENT_DATA_DIR: dataDir };
    for (const [args, says] of [
      [["cost", "--cpu", "two"], /--cpu <units>' argument 'two' is invalid/],
      [
        [
          "--network",
          "moon",
          "sdl",
          "--events-per-second",
          "1",
          "--connections",
          "1",
          "--storage-used-gib",
          "1",
        ],
        /^akash-agent: invalid config: network = "moon" \(from command line\): allowed: devnet, sandbox, mainnet\n$/,
      ],
      [
        ["--config", dataDir, "keys", "show"],
        /^akash-agent: cannot read config file .+ \(EISDIR\): check the --config path\n$/,
      ],
    ] as const) {
      const result = await runCli([...args], env);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(says);
      expectNoSecretIn(`${result.stdout}${result.stderr}`, SECRETS, `akash-agent ${args.join(" ")}`);
    }
  });
});
