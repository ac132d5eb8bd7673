import { AgentError } from "../../errors.js";

/** A family operation (a child's birth, resurrection) that could not be done as asked. */
export class FamilyError extends AgentError {}

/**
 * A child's CLI run (bootstrap, restore, take-back) that exited without its result. `lastLines` are
 * the last lines it wrote on stderr, already redacted; `exitCode` is the child process's own exit code
 * (3: it refused, e.g. a take-back while the child still lives).
 */
export class ChildRunFailedError extends FamilyError {
  readonly childExitCode: number | null;
  readonly lastLines: readonly string[];

  constructor(message: string, childExitCode: number | null, lastLines: readonly string[]) {
    super(message);
    this.childExitCode = childExitCode;
    this.lastLines = lastLines;
  }
}

/** The run was aborted and its process stopped: running it again on the same data dir resumes it. */
export class ChildRunInterruptedError extends FamilyError {}
