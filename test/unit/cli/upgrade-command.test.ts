import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../src/cli/program.js";

/** Runs `akash-agent upgrade …` in this process, as far as it gets without an agent to call. */
async function upgrade(...args: string[]): Promise<unknown> {
  const program = await buildProgram(["upgrade"]);
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  return program.parseAsync(["node", "akash-agent", "upgrade", ...args]);
}

describe("akash-agent upgrade: bad input is named with its fix", () => {
  it("refuses a --url that is not a URL", async () => {
    await expect(upgrade("--url", "nope", "--image", "a/b:1")).rejects.toThrow(
      /--url nope: give the agent's base URL, e\.g\. http:\/\/127\.0\.0\.1:8080/,
    );
  });

  it("refuses a --timeout that is not a positive number of seconds", async () => {
    for (const timeout of ["0", "-3", "soon"]) {
      await expect(
        upgrade("--url", "http://127.0.0.1:9", "--image", "a/b:1", "--wait", "--timeout", timeout),
      ).rejects.toThrow(new RegExp(`--timeout ${timeout}: give a number of seconds above 0`));
    }
  });

  it("needs --image", async () => {
    await expect(upgrade("--url", "http://127.0.0.1:9")).rejects.toThrow(/--image <image>/);
  });
});
