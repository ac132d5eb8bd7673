import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { CRASH_AT_ENV } from "../src/runtime/crash-point.js";
import { isInState } from "../src/runtime/lease-view.js";
import { CLI } from "./run-cli.js";

/** One JSON line the agent logs on stderr with `--log-json`. */
export interface AgentLogLine {
  readonly level?: number;
  readonly time?: number;
  readonly actor?: string;
  readonly state?: string;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface AgentProcessOptions {
  /** Control URL of the devnet the test process runs (it outlives every agent process). */
  readonly devnetUrl: string;
  readonly dataDir: string;
  /** The agent's identity (`AGENT_MNEMONIC`); the same mnemonic and data dir make a restart. */
  readonly mnemonic: string;
  /** `--until STATE`: exit 0 once the lease is there. */
  readonly until?: string;
  readonly terminateOnExit?: boolean;
  /** `AGENT_*` settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** `AKASH_AGENT_CRASH_AT` (`step[:n]`): the agent SIGKILLs itself at that transaction step. */
  readonly crashAt?: string;
  readonly logLevel?: string;
  /** Further flags of `run` (e.g. `--guardian`). */
  readonly extraArgs?: readonly string[];
}

export interface AgentExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** stderr lines that were not JSON (warnings, the `--until` failure reason). */
  readonly otherStderr: string[];
}

/** The command line `run` is started with (without the node binary and the CLI path). */
export function agentRunArgs(options: AgentProcessOptions): string[] {
  return [
    "run",
    "--network",
    "devnet",
    "--devnet-url",
    options.devnetUrl,
    "--data",
    options.dataDir,
    "--log-json",
    "--log-level",
    options.logLevel ?? "info",
    "--json",
    // Agents of parallel tests must not compete for the default port.
    "--http-port",
    "0",
    ...(options.until ? ["--until", options.until] : []),
    ...(options.terminateOnExit ? ["--terminate-on-exit"] : []),
    ...(options.extraArgs ?? []),
  ];
}

/**
 * The real agent CLI (`node dist/main.js run …`) as a child process: its stderr JSON lines are parsed
 * as they arrive, so a test can act (e.g. SIGKILL it) in the same tick a line shows up.
 */
export class AgentProcess {
  readonly lines: AgentLogLine[] = [];
  readonly exited: Promise<AgentExit>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<(line: AgentLogLine) => void>();
  private exit: AgentExit | undefined;

  constructor(readonly options: AgentProcessOptions) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("AGENT_") && name !== CRASH_AT_ENV),
    );
    this.child = spawn(process.execPath, [CLI, ...agentRunArgs(options)], {
      env: {
        ...base,
        // Any free port: agents in parallel test files must not compete for the default 8080.
        AGENT_HTTP_PORT: "0",
        ...options.settings,
        AGENT_MNEMONIC: options.mnemonic,
        ...(options.crashAt ? { [CRASH_AT_ENV]: options.crashAt } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    const otherStderr: string[] = [];
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    const stderrDone = new Promise<void>((resolve) => {
      const reader = createInterface({ input: this.child.stderr!, crlfDelay: Number.POSITIVE_INFINITY });
      reader.on("line", (text) => {
        const line = parseLine(text);
        if (!line) {
          otherStderr.push(text);
          return;
        }
        this.lines.push(line);
        for (const listener of [...this.listeners]) listener(line);
      });
      reader.on("close", resolve);
    });
    const processDone = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      this.child.on("exit", (code, signal) => resolve({ code, signal }));
    });
    this.exited = Promise.all([processDone, stderrDone]).then(([{ code, signal }]) => {
      this.exit = { code, signal, stdout, otherStderr };
      return this.exit;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal to this process (and only this one). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Calls `listener` for every line from now on; returns the function that removes it. */
  onLine(listener: (line: AgentLogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Why the process failed, as it said: its `akash-agent:` stderr line, else its last error or fatal
   * log line, else its last non-JSON stderr line. Empty when it said nothing.
   */
  failureReason(): string {
    const said = this.exit?.otherStderr ?? [];
    const cli = said.filter((text) => text.startsWith("akash-agent:"));
    if (cli.length > 0) return cli.join(" ");
    const logged = [...this.lines].reverse().find((line) => (line.level ?? 0) >= 50);
    if (logged) {
      const err = logged.err as { message?: unknown } | undefined;
      return `${logged.msg ?? ""}${typeof err?.message === "string" ? `: ${err.message}` : ""}`;
    }
    return said.filter((text) => text.trim() !== "").at(-1) ?? "";
  }

  /** The lease states logged so far, in order. */
  leaseStates(): string[] {
    return this.lines.filter(isLeaseStateLine).map((line) => line.state);
  }

  /**
   * Resolves with the first line (already logged or to come) that satisfies `predicate`; rejects when
   * the process exits or `timeoutMs` passes first.
   */
  waitForLine(
    predicate: (line: AgentLogLine) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<AgentLogLine> {
    const seen = this.lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const remove = this.onLine((line) => {
        if (predicate(line)) finish(line);
      });
      const finish = (result: AgentLogLine | Error) => {
        clearTimeout(timer);
        remove();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      this.exited.then((exit) =>
        finish(
          new Error(
            `the agent exited (${exit.signal ?? `code ${exit.code}`}) before ${what}; last lease state ${this.leaseStates().at(-1) ?? "none"}${describeOther(exit)}`,
          ),
        ),
      );
    });
  }

  /** Resolves once the lease logs a state inside `state` (e.g. "active" matches "active.monitoring"). */
  waitForLeaseState(state: string, timeoutMs: number): Promise<AgentLogLine> {
    return this.waitForLine(
      (line) => isLeaseStateLine(line) && isInState(line.state, state),
      `lease state ${state}`,
      timeoutMs,
    );
  }

  /**
   * SIGKILLs the process in the same tick the lease logs a state inside `state`; resolves with the
   * exit. With `confirm`, the kill waits (polling every 2 ms) until `confirm()` holds, e.g. until the
   * agent's database holds that state. If the process ends first (or `timeoutMs` passes, then it is
   * killed anyway), `killedAt` is null.
   */
  async killWhenLeaseEnters(
    state: string,
    timeoutMs: number,
    confirm?: () => boolean,
  ): Promise<{ exit: AgentExit; killedAt: string | null }> {
    let killedAt: string | null = null;
    let seen: string | null = null;
    let poll: NodeJS.Timeout | undefined;
    const kill = (at: string) => {
      killedAt = at;
      this.signal("SIGKILL");
    };
    const trigger = (line: AgentLogLine) => {
      if (seen !== null || !isLeaseStateLine(line) || !isInState(line.state, state)) return;
      seen = line.state;
      if (!confirm) {
        kill(line.state);
        return;
      }
      const at = line.state;
      poll = setInterval(() => {
        if (killedAt === null && confirm()) {
          clearInterval(poll);
          kill(at);
        }
      }, 2);
    };
    for (const line of this.lines) trigger(line);
    const remove = this.onLine(trigger);
    const timer = setTimeout(() => this.signal("SIGKILL"), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    clearInterval(poll);
    remove();
    return { exit, killedAt };
  }

  /** Waits for the exit; SIGKILLs the process if it has not ended after `timeoutMs`. */
  async exitWithin(timeoutMs: number): Promise<AgentExit & { timedOut: boolean }> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.signal("SIGKILL");
    }, timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { ...exit, timedOut };
  }
}

export function isLeaseStateLine(line: AgentLogLine): line is AgentLogLine & { state: string } {
  return (
    line.actor === "lease" &&
    typeof line.state === "string" &&
    typeof line.msg === "string" &&
    line.msg.startsWith("lease → ")
  );
}

function parseLine(text: string): AgentLogLine | null {
  if (!text.startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as AgentLogLine)
      : null;
  } catch {
    return null;
  }
}

function describeOther(exit: AgentExit): string {
  const reason = exit.otherStderr.filter((text) => text.startsWith("akash-agent:")).join(" ");
  return reason ? `: ${reason}` : "";
}

/** Starts `node dist/main.js run …` with these options. */
export function spawnAgent(options: AgentProcessOptions): AgentProcess {
  return new AgentProcess(options);
}
