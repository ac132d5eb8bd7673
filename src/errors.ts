/**
 * Errors that reach a user. Each carries a one-line message naming what was wrong and how to fix it,
 * and the process exit code the CLI uses for it. Messages never contain secrets.
 */
export class AgentError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input from the user (flag, config value, missing file): exit code 2. */
export class UsageError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}
