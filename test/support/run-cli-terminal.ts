import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { CLI } from "../../support/run-cli.js";

/** Whether util-linux `script` is here to give the CLI a pseudo-terminal. */
export const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The built CLI on a pseudo-terminal (util-linux `script`), so stdin and stdout are a TTY. The test
 * reads what it prints and types answers as prompts appear: every wait is for output, never for time.
 */
export class TerminalSession {
  readonly #child: ChildProcess;
  #output = "";
  #listeners: (() => void)[] = [];
  readonly exited: Promise<number>;

  constructor(args: string[], env: Record<string, string> = {}) {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("AGENT_")),
    );
    const command = [process.execPath, CLI, ...args].map(shellQuote).join(" ");
    this.#child = spawn("script", ["-qec", command, "/dev/null"], {
      env: { ...base, AGENT_HTTP_PORT: "0", ...env, TERM: "dumb" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const append = (chunk: Buffer) => {
      this.#output += chunk.toString("utf8");
      for (const listener of [...this.#listeners]) listener();
    };
    this.#child.stdout?.on("data", append);
    this.#child.stderr?.on("data", append);
    this.exited = new Promise((resolve) => {
      this.#child.on("close", (code) => {
        for (const listener of [...this.#listeners]) listener();
        resolve(code ?? 1);
      });
    });
  }

  /** Everything the terminal showed so far (prompts, output and echo). */
  get output(): string {
    return this.#output;
  }

  /** Resolves with the first match of `pattern` in the output after `from`; rejects if the process ends first. */
  waitFor(pattern: RegExp, from = 0): Promise<{ match: RegExpExecArray; end: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const rest = this.#output.slice(from);
        const match = pattern.exec(rest);
        if (match) {
          this.#listeners = this.#listeners.filter((listener) => listener !== check);
          resolve({ match, end: from + match.index + match[0].length });
        } else if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
          this.#listeners = this.#listeners.filter((listener) => listener !== check);
          reject(new Error(`the CLI ended before ${pattern} appeared; it showed:\n${this.#output}`));
        }
      };
      this.#listeners.push(check);
      check();
    });
  }

  type(text: string): void {
    this.#child.stdin?.write(text);
  }

  async close(): Promise<number> {
    this.#child.stdin?.end();
    return this.exited;
  }
}
