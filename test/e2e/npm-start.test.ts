import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/runtime/devnet-process-record.js";
import { generateMnemonic } from "../../src/services/keys/index.js";
import { CLI, runCli } from "../../support/run-cli.js";
import { fastAgentSettings } from "../support/agent-harness.js";
import { remoteStatus, settingsEnv } from "../support/deployed-agent-probes.js";
import { waitFor } from "../support/devnet.js";

/** `npm start` is `node dist/main.js run --network devnet` (after the build). */
class StartSession {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(dataDir: string, env: Record<string, string>) {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("AGENT_")),
    );
    this.child = spawn(process.execPath, [CLI, "run", "--network", "devnet", "--data", dataDir], {
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  /** The first match of `pattern` in what it printed so far, waiting for it. */
  printed(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return waitFor(
      () => this.stdout.match(pattern) ?? undefined,
      timeoutMs,
      `${pattern} in the output of npm start (stdout:\n${this.stdout}\nstderr tail:\n${this.stderr.slice(-3000)})`,
    );
  }

  interrupt(): void {
    this.child.kill("SIGINT");
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

function listenOn(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(null));
    server.listen({ host: "127.0.0.1", port }, () => resolve(server));
  });
}

/**
 * Issue 14's `npm start`: the devnet runs as its own process, the bootstrap hands over, then the run
 * follows the deployed agent until Ctrl-C, which leaves the agent (and the devnet) running; a second
 * run on the same --data follows the same agent; `devnet stop` ends the devnet and the agent.
 */
describe("npm start", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "npm-start-"));
  const sessions: StartSession[] = [];
  let port8080: Server | null = null;
  const env = {
    ...settingsEnv({
      ...fastAgentSettings,
      "agent.sdlProfile": "relay",
      "heartbeat.intervalMs": 1_000,
      "log.level": "warn",
    }),
    AGENT_MNEMONIC: generateMnemonic().reveal(),
  };

  afterAll(async () => {
    for (const session of sessions) session.kill();
    port8080?.close();
    // Whatever the test got to, nothing it started outlives it.
    await runCli(["devnet", "stop", "--data", dataDir], {}, 60_000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("hands over, follows until Ctrl-C leaving the agent running, follows it again, and devnet stop ends it all", async () => {
    // Another agent holds the default port (or something else already does): npm start takes a free one.
    port8080 = await listenOn(8080);
    const started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
    const figures: string[] = [];
    const first = new StartSession(dataDir, env);
    sessions.push(first);
    const where = await first.printed(
      /uri +(http:\/\/\S+)[\s\S]*process +pid (\d+)[\s\S]*devnet +pid (\d+), control (\S+)[\s\S]*following its heartbeats/,
      150_000,
    );
    figures.push(`following after ${seconds()} s`);
    const [, url, agentPidText, devnetPidText] = where;
    const uri = new URL(url as string).host;
    const agentPid = Number(agentPidText);
    const devnetPid = Number(devnetPidText);
    expect(first.stdout).toMatch(/handed over: the agent now runs in its own lease \(generation 1\)/);
    expect(first.stdout).toContain(`live page   ${url}/`);
    expect(first.stderr).toMatch(
      /port 8080 is taken \(another agent\?\): this one listens on http:\/\/127\.0\.0\.1:\d+/,
    );
    // A line per heartbeat of the deployed agent (generation 1, in its lease).
    await first.printed(/heartbeat +generation 1 +lease active/, 30_000);

    figures.push(`first heartbeat line ${seconds()} s`);
    first.interrupt();
    expect(await first.exited).toBe(0);
    figures.push(`exited ${seconds()} s`);
    expect(first.stdout).toContain(
      `The deployed agent keeps running at ${url} on the devnet (agent pid ${agentPid}, devnet pid ${devnetPid}).`,
    );
    expect(first.stdout).toMatch(
      new RegExp(`to stop the devnet and the agent: node \\S*dist/main\\.js devnet stop --data ${dataDir}\n`),
    );
    const leading = await remoteStatus(uri);
    expect(leading.leadership).toMatchObject({ generation: 1, state: "leading" });
    expect(isProcessAlive(devnetPid) && isProcessAlive(agentPid)).toBe(true);

    // The same command again: it does not exit 3 but follows the agent where it is, on the same devnet.
    const second = new StartSession(dataDir, env);
    sessions.push(second);
    await second.printed(
      /the agent already runs in its own lease \(generation 1, handed over by an earlier run\)/,
      60_000,
    );
    await second.printed(new RegExp(`devnet +pid ${devnetPid},`), 1_000);
    await second.printed(/status +\S+ +lease active\S* +leader leading \(generation 1\)/, 30_000);
    figures.push(`second run following ${seconds()} s`);
    second.interrupt();
    expect(await second.exited).toBe(0);
    expect(second.stdout).toContain(`keeps running at ${url}`);

    const stopped = await runCli(["devnet", "stop", "--data", dataDir], {}, 60_000);
    expect(stopped.code, stopped.stderr).toBe(0);
    figures.push(`devnet stopped ${seconds()} s`);
    console.log(`npm start figures: ${figures.join(", ")}`);
    expect(stopped.stdout).toContain(`stopped the devnet (pid ${devnetPid}`);
    expect(stopped.stdout).toContain(`the agent processes it ran (pid ${agentPid})`);
    expect(isProcessAlive(devnetPid)).toBe(false);
    expect(isProcessAlive(agentPid)).toBe(false);
    await expect(remoteStatus(uri)).rejects.toThrow();
    const again = await runCli(["devnet", "stop", "--data", dataDir]);
    expect(again.stdout).toMatch(/nothing to stop/);
  }, 240_000);
});
