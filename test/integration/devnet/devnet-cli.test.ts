import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

function runCli(args: readonly string[]) {
  return spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function outputUntil(stream: NodeJS.ReadableStream, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.includes(marker)) resolve(buffer);
    });
    stream.on("end", () => reject(new Error(`stream ended before ${marker}: ${buffer}`)));
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

  it("runs the agent's own entry point for agent.image by default, logs and volumes beside --data", async () => {
    const data = mkdtempSync(join(tmpdir(), "devnet-cli-data-"));
    try {
      const child = runCli([
        "devnet",
        "--block-time",
        "100",
        "--providers",
        "1",
        "--data",
        data,
        ...["--no-cronos", "--no-arweave", "--no-nostr", "--no-receivers", "--no-dns"],
      ]);
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const summary = await outputUntil(child.stdout, "Press Ctrl+C");
      const main = join(repoRoot, "dist", "main.js");
      expect(summary).toContain(
        `  agent image ghcr.io/akash-agent/agent-relay:0.1.0   runs as: ${process.execPath} ${main} run\n`,
      );
      expect(summary).toContain(`logs in ${join(data, "agent-logs")}\n`);
      expect(summary).toContain(`volumes in ${join(data, "agent-volumes")}\n`);
      expect(existsSync(join(data, "agent-logs"))).toBe(true);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it("refuses --no-agent-process together with an agent image or command", async () => {
    const child = runCli(["devnet", "--no-agent-process", "--agent-image", "x:1"]);
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      "akash-agent: --no-agent-process runs no agent process: drop it, or drop --agent-image and --agent-command",
    ]);
  });
});
