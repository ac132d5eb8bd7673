import { createInterface, type Interface } from "node:readline";
import { Writable } from "node:stream";
import { AgentError } from "../errors.js";

/** Whether the user is at a terminal on this side: stdin to type on, stdout to read on. */
export function stdinIsTerminal(): boolean {
  return process.stdin.isTTY === true;
}

export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}

/** Ctrl-C at a prompt, or the input closed before an answer: stop the command (exit 130, as for SIGINT). */
export class PromptInterruptedError extends AgentError {
  constructor(reason = "interrupted at the prompt") {
    super(`${reason}: the command stopped before it finished`, 130);
  }
}

/** Questions to the user at a terminal. Prompts go to stderr, so stdout carries only results. */
export interface Prompter {
  /** Asks one question and reads one line; `hidden` answers are not echoed. */
  ask(question: string, options?: { hidden?: boolean }): Promise<string>;
  close(): void;
}

/**
 * One readline interface over stdin for a whole command, so lines typed (or pasted) ahead of a
 * question are kept for it rather than lost between questions.
 */
export class TerminalPrompter implements Prompter {
  readonly #lines: string[] = [];
  readonly #waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  readonly #rl: Interface;
  #muted = false;
  #ended: Error | null = null;

  constructor() {
    const output = new Writable({
      write: (chunk, _encoding, done) => {
        if (!this.#muted) process.stderr.write(chunk);
        done();
      },
    });
    this.#rl = createInterface({ input: process.stdin, output, terminal: stdinIsTerminal() });
    this.#rl.on("line", (line) => {
      const next = this.#waiting.shift();
      if (next) next.resolve(line);
      else this.#lines.push(line);
    });
    this.#rl.on("SIGINT", () => this.#end(new PromptInterruptedError()));
    this.#rl.on("close", () => this.#end(new PromptInterruptedError("the input ended before an answer")));
  }

  #end(error: Error): void {
    this.#ended ??= error;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
    this.#rl.close();
  }

  async ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
    process.stderr.write(question);
    const queued = this.#lines.shift();
    let line: string;
    if (queued !== undefined) line = queued;
    else {
      if (this.#ended) throw this.#ended;
      this.#muted = options.hidden === true;
      try {
        line = await new Promise<string>((resolve, reject) => this.#waiting.push({ resolve, reject }));
      } finally {
        this.#muted = false;
      }
    }
    if (options.hidden) process.stderr.write("\n");
    return line;
  }

  close(): void {
    this.#ended ??= new PromptInterruptedError();
    this.#rl.close();
  }
}

/** Runs `use` with a prompter on the terminal and closes it afterwards (so stdin lets the process exit). */
export async function withPrompter<T>(use: (prompter: Prompter) => Promise<T>): Promise<T> {
  const prompter = new LazyPrompter();
  try {
    return await use(prompter);
  } finally {
    prompter.close();
  }
}

/** A prompter that opens the terminal only when the first question is asked (so a command that asks nothing leaves stdin alone). */
export class LazyPrompter implements Prompter {
  #inner: TerminalPrompter | null = null;

  ask(question: string, options?: { hidden?: boolean }): Promise<string> {
    this.#inner ??= new TerminalPrompter();
    return this.#inner.ask(question, options);
  }

  close(): void {
    this.#inner?.close();
  }
}
