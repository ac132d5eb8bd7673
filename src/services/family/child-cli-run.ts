import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createRedactor, type Redactor } from "../../logging/index.js";
import type { ArweaveJwk } from "../keys/arweave-key.js";
import { knownSecretValues, type Secret } from "../keys/secret.js";
import { ChildRunFailedError, ChildRunInterruptedError, FamilyError } from "./family-errors.js";

/** How many of the child's last stderr lines an error carries. */
const TAIL_LINES = 12;
/** After SIGTERM, how long the child's process group gets to stop before SIGKILL. */
const DEFAULT_KILL_AFTER_MS = 30_000;
/** Where a data directory records the process that runs a child's CLI in it. */
export const CHILD_RUN_PID_FILE = "child-run.pid.json";

export interface ChildCliRun {
  /** `akash-agent` arguments, e.g. `["run", "--until", "handed-over", "--json"]`; `--data` is added. */
  readonly args: readonly string[];
  readonly dataDir: string;
  /** The child's settings as `AGENT_*` variables (see childEnvironment). */
  readonly env: Readonly<Record<string, string>>;
  /** The child's mnemonic: passed only as `AGENT_MNEMONIC`, scrubbed from every line read back. */
  readonly mnemonic: Secret<string>;
  /** The child's Arweave wallet (signs its backups): passed only as `AGENT_ARWEAVE_JWK`, scrubbed too. */
  readonly arweaveJwk?: Secret<ArweaveJwk>;
  /** What the run is, for messages ("the birth of child …"). */
  readonly what: string;
  readonly signal?: AbortSignal;
  /** Every line the child writes (stderr and stdout), redacted. */
  readonly onProgress?: (line: string) => void;
  readonly killAfterMs?: number;
  /** The CLI as its argv prefix: this package's built one, `node dist/main.js` (`ownCliCommand()`). */
  readonly command: readonly string[];
}

export interface ChildCliOutcome {
  /** The lines the child printed on stdout, redacted. */
  readonly stdout: readonly string[];
  readonly lastLines: readonly string[];
}

interface PidRecord {
  readonly pid: number;
  readonly dataDir: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether `pid` still runs this package's CLI on `dataDir` (a recycled pid is someone else's). */
function runsOn(pid: number, dataDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.includes(dataDir);
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(pid: number, killAfterMs: number, stillRuns: () => boolean): Promise<void> {
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + killAfterMs;
  while (stillRuns() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (stillRuns()) signalGroup(pid, "SIGKILL");
  while (stillRuns()) await new Promise((r) => setTimeout(r, 50));
}

/**
 * A parent killed mid-birth leaves its child's run going (it has its own process group): before a
 * second run starts on the same data dir, that one is stopped, so two never write one store.
 */
async function stopEarlierRun(dataDir: string, killAfterMs: number): Promise<void> {
  const file = join(dataDir, CHILD_RUN_PID_FILE);
  if (!existsSync(file)) return;
  let record: PidRecord | null = null;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as PidRecord;
  } catch {
    record = null;
  }
  if (record && Number.isInteger(record.pid) && alive(record.pid) && runsOn(record.pid, dataDir)) {
    const { pid } = record;
    await stopGroup(pid, killAfterMs, () => alive(pid) && runsOn(pid, dataDir));
  }
  rmSync(file, { force: true });
}

/** The environment a child run inherits: this process's, without any agent setting or secret of the parent. */
function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith("AGENT_") && !entry[0].startsWith("AKASH_AGENT_"),
    ),
  );
}

/** The secrets a child run is given, as the variables it reads them from. */
function secretEnv(run: ChildCliRun): Record<string, string> {
  return {
    AGENT_MNEMONIC: run.mnemonic.reveal(),
    ...(run.arweaveJwk ? { AGENT_ARWEAVE_JWK: JSON.stringify(run.arweaveJwk.reveal()) } : {}),
  };
}

/** Scrubs the run's secrets (whole, and each long part of the JWK) and every secret this process knows. */
function redactorFor(run: ChildCliRun): Redactor {
  const jwkParts = run.arweaveJwk
    ? Object.values(run.arweaveJwk.reveal()).filter(
        (part): part is string => typeof part === "string" && part.length >= 16,
      )
    : [];
  const own = [...Object.values(secretEnv(run)), ...jwkParts];
  return createRedactor(() => [...own, ...knownSecretValues()]);
}

/** The CLI's own `akash-agent:` lines when it wrote any, else its last line (shortened). */
function whatItSaid(tail: readonly string[]): string[] {
  const cli = tail.filter((line) => line.startsWith("akash-agent:"));
  if (cli.length > 0) return cli;
  const last = tail.filter((line) => line.trim() !== "").at(-1);
  return last === undefined ? [] : [last.length > 400 ? `${last.slice(0, 400)}…` : last];
}

/**
 * Runs this package's built CLI for a child (`node dist/main.js <args> --data DIR`) in its own process
 * group, with the child's mnemonic only in `AGENT_MNEMONIC`. Lines are forwarded redacted; a non-zero
 * exit is a ChildRunFailedError with the last stderr lines; an abort stops the process group (SIGTERM,
 * then SIGKILL) and rejects with ChildRunInterruptedError once it is gone.
 */
export async function runChildCli(run: ChildCliRun): Promise<ChildCliOutcome> {
  const dataDir = resolve(run.dataDir);
  const killAfterMs = run.killAfterMs ?? DEFAULT_KILL_AFTER_MS;
  const interrupted = () =>
    new ChildRunInterruptedError(
      `${run.what} was interrupted: run it again on ${dataDir} to resume (nothing is lost)`,
    );
  if (run.signal?.aborted) throw interrupted();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  await stopEarlierRun(dataDir, killAfterMs);
  if (run.signal?.aborted) throw interrupted();

  const redactor = redactorFor(run);
  const [program, ...programArgs] = run.command;
  if (program === undefined) throw new FamilyError(`${run.what}: no command to run the child's CLI with`);
  const child = spawn(program, [...programArgs, ...run.args, "--data", dataDir], {
    env: { ...inheritedEnv(), ...run.env, ...secretEnv(run) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  const pidFile = join(dataDir, CHILD_RUN_PID_FILE);
  if (pid !== undefined) {
    writeFileSync(pidFile, JSON.stringify({ pid, dataDir } satisfies PidRecord), { mode: 0o600 });
  }

  const stdout: string[] = [];
  const tail: string[] = [];
  const read = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) =>
    new Promise<void>((done) => {
      const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      reader.on("line", (raw) => {
        const line = redactor.text(raw);
        onLine(line);
        run.onProgress?.(line);
      });
      reader.on("close", done);
    });
  const streamsDone = Promise.all([
    read(child.stdout, (line) => stdout.push(line)),
    read(child.stderr, (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    }),
  ]);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (done) => {
      child.once("error", (error) => done({ code: null, signal: null, error }));
      child.once("exit", (code, signal) => done({ code, signal }));
    },
  );
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    if (pid !== undefined)
      void stopGroup(pid, killAfterMs, () => child.exitCode === null && !child.signalCode);
  };
  run.signal?.addEventListener("abort", onAbort, { once: true });
  const exit = await exited;
  run.signal?.removeEventListener("abort", onAbort);
  // The group may hold more than the CLI itself; none of it outlives the run.
  if (pid !== undefined) signalGroup(pid, "SIGKILL");
  await streamsDone;
  rmSync(pidFile, { force: true });

  if (aborted) throw interrupted();
  if (exit.error) {
    throw new ChildRunFailedError(`${run.what} could not start: ${redactor.text(exit.error.message)}`, null, [
      ...tail,
    ]);
  }
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const said = whatItSaid(tail);
    throw new ChildRunFailedError(
      `${run.what} ${how}${said.length > 0 ? `: ${said.join(" | ")}` : ""}; run it again on ${dataDir} to resume`,
      exit.code,
      [...tail],
    );
  }
  return { stdout, lastLines: [...tail] };
}
