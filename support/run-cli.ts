import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface CliResult {
  code: number;
  /** The signal that ended the process (e.g. SIGKILL from a crash hook), or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`npm test` builds first) with a clean AGENT_* environment (the HTTP port: any
 * free one) plus `env`. With
 * `input`, that text is piped to its stdin, which is then closed.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  input?: string,
): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AGENT_")));
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...base, AGENT_HTTP_PORT: "0", ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
