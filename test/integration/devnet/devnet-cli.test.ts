import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

function runCli(args: readonly string[]) {
  return spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    stream.on("end", () => reject(new Error(`stream ended before a line: ${buffer}`)));
  });
}

describe("akash-agent devnet", () => {
  it("prints one JSON line when ready, serves it at /endpoints, and stops cleanly on SIGTERM", async () => {
    const child = runCli(["devnet", "--json", "--block-time", "100", "--providers", "2"]);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const line = await firstLine(child.stdout);
    const endpoints = JSON.parse(line) as Record<string, unknown> & { control: string; providers: unknown[] };
    expect(Object.keys(endpoints).sort()).toEqual(
      [
        "arweave",
        "auditors",
        "blockTimeMs",
        "chainId",
        "consoleApi",
        "control",
        "cronos",
        "dns",
        "faucet",
        "grpc",
        "nostr",
        "providers",
        "receivers",
        "rpc",
        "websocket",
      ].sort(),
    );
    expect(endpoints.blockTimeMs).toBe(100);
    expect(Object.keys(endpoints.cronos as object).sort()).toEqual(
      ["akt", "chainId", "factory", "router", "rpc", "wcro"].sort(),
    );
    expect(endpoints.nostr).toEqual({ relay: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) });
    expect(endpoints.arweave).toEqual({ gateway: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(endpoints.dns).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(Object.keys(endpoints.receivers as object).sort()).toEqual(["slack", "telegram", "webhook"]);
    expect(endpoints.providers).toHaveLength(2);
    const served = await (await fetch(`${endpoints.control}/endpoints`)).json();
    expect(served).toEqual(endpoints);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("rejects a bad flag value with a one-line error naming the flag and exit code 2", async () => {
    const child = runCli(["devnet", "--providers", "lots"]);
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      'akash-agent: --providers must be a whole number of providers between 1 and 50 (got "lots")',
    ]);
  });
});
