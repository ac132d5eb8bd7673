import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  CHILD_RUN_PID_FILE,
  ChildRunFailedError,
  ChildRunInterruptedError,
  runChildCli,
} from "../../../../src/services/family/index.js";
import { generateArweaveJwk, generateMnemonic } from "../../../../src/services/keys/index.js";
import { waitFor } from "../../../support/devnet.js";

/** A stand-in for the CLI: `node -e SCRIPT` (the runner appends `--data DIR`). */
const node = (script: string) => [process.execPath, "-e", script, "--"];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("running a child's CLI as a subprocess", () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "child-run-"));
    dirs.push(dir);
    return dir;
  };
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("passes the mnemonic only in AGENT_MNEMONIC, none of the parent's settings, and returns stdout", async () => {
    const mnemonic = generateMnemonic();
    process.env.AGENT_NOSTR_RELAYS = "ws://parent-only.example";
    try {
      const outcome = await runChildCli({
        command: node(
          "console.log(JSON.stringify({ argv: process.argv.slice(1), env: Object.keys(process.env).filter((n) => n.startsWith('AGENT_')).sort(), words: process.env.AGENT_MNEMONIC.split(' ').length, mine: process.env.AGENT_HTTP_PORT }))",
        ),
        args: ["run", "--json"],
        dataDir: dataDir(),
        env: { AGENT_HTTP_PORT: "0" },
        mnemonic,
        what: "the test run",
      });
      const said = JSON.parse(outcome.stdout.at(-1)!) as {
        argv: string[];
        env: string[];
        words: number;
        mine: string;
      };
      expect(said.env).toEqual(["AGENT_HTTP_PORT", "AGENT_MNEMONIC"]);
      expect(said.words).toBe(24);
      expect(said.mine).toBe("0");
      expect(said.argv.slice(0, 2)).toEqual(["run", "--json"]);
      expect(said.argv).toContain("--data");
      expect(said.argv.join(" ")).not.toContain(mnemonic.reveal());
    } finally {
      delete process.env.AGENT_NOSTR_RELAYS;
    }
  });

  it("fails with the last lines it wrote, the mnemonic scrubbed from them, the error and the progress", async () => {
    const mnemonic = generateMnemonic();
    const progress: string[] = [];
    const dir = dataDir();
    const run = runChildCli({
      command: node(
        "console.error('starting'); console.error(JSON.stringify({ msg: 'keys: ' + process.env.AGENT_MNEMONIC })); console.error('akash-agent: refused with ' + process.env.AGENT_MNEMONIC); process.exit(3)",
      ),
      args: ["run"],
      dataDir: dir,
      env: {},
      mnemonic,
      what: "the birth of child 0",
      onProgress: (line) => progress.push(line),
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChildRunFailedError);
    const failed = error as ChildRunFailedError;
    expect(failed.childExitCode).toBe(3);
    expect(failed.message).toMatch(
      /^the birth of child 0 exited with code 3: akash-agent: refused with \[redacted\]; run it again on /,
    );
    expect(failed.lastLines).toHaveLength(3);
    expect(progress).toHaveLength(3);
    const everything = [failed.message, ...failed.lastLines, ...progress].join("\n");
    expect(everything).toContain("[redacted]");
    expect(everything).not.toContain(mnemonic.reveal());
    // Not even a few of its words in a row.
    expect(everything).not.toContain(mnemonic.reveal().split(" ").slice(0, 3).join(" "));
    expect(existsSync(join(dir, CHILD_RUN_PID_FILE))).toBe(false);
  });

  it("passes the child's Arweave wallet only in AGENT_ARWEAVE_JWK and scrubs it, whole or in parts", async () => {
    const jwk = await generateArweaveJwk();
    const progress: string[] = [];
    await runChildCli({
      command: node(
        "const jwk = JSON.parse(process.env.AGENT_ARWEAVE_JWK); console.error(process.env.AGENT_ARWEAVE_JWK); console.error('d=' + jwk.d); console.log(JSON.stringify({ kty: jwk.kty }))",
      ),
      args: [],
      dataDir: dataDir(),
      env: {},
      mnemonic: generateMnemonic(),
      arweaveJwk: jwk,
      what: "the run",
      onProgress: (line) => progress.push(line),
    });
    expect(progress).toContain(JSON.stringify({ kty: "RSA" }));
    expect(progress).toContain("d=[redacted]");
    const everything = progress.join("\n");
    expect(everything).not.toContain(jwk.reveal().d);
    expect(everything).not.toContain(jwk.reveal().p);
  }, 30_000);

  it("on abort stops its whole process group (SIGTERM, then SIGKILL) and says how to resume", async () => {
    const dir = dataDir();
    const progress: string[] = [];
    const abort = new AbortController();
    const run = runChildCli({
      // Ignores SIGTERM, and has a grandchild in its group.
      command: node(
        "process.on('SIGTERM', () => {}); const g = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('grandchild ' + g.pid); setInterval(() => {}, 1000);",
      ),
      args: [],
      dataDir: dir,
      env: {},
      mnemonic: generateMnemonic(),
      what: "the birth of child 1",
      signal: abort.signal,
      killAfterMs: 300,
      onProgress: (line) => progress.push(line),
    });
    const line = await waitFor(() => progress.find((text) => text.startsWith("grandchild ")), 10_000);
    const grandchild = Number(line.split(" ")[1]);
    started.push(grandchild);
    const recorded = JSON.parse(readFileSync(join(dir, CHILD_RUN_PID_FILE), "utf8")) as { pid: number };
    started.push(recorded.pid);
    expect(alive(recorded.pid)).toBe(true);
    abort.abort();
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChildRunInterruptedError);
    expect((error as Error).message).toMatch(
      /the birth of child 1 was interrupted: run it again on .* to resume/,
    );
    expect(alive(recorded.pid)).toBe(false);
    await waitFor(() => (alive(grandchild) ? undefined : true), 5_000, "the grandchild gone");
    expect(existsSync(join(dir, CHILD_RUN_PID_FILE))).toBe(false);
  });

  it("refuses at once when already aborted, starting nothing", async () => {
    const dir = dataDir();
    const abort = new AbortController();
    abort.abort();
    await expect(
      runChildCli({
        command: node("require('node:fs').writeFileSync(process.argv.at(-1) + '/ran', '')"),
        args: [],
        dataDir: dir,
        env: {},
        mnemonic: generateMnemonic(),
        what: "the run",
        signal: abort.signal,
      }),
    ).rejects.toBeInstanceOf(ChildRunInterruptedError);
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it("stops a run left going on the same data dir (its parent was killed) before starting again", async () => {
    const dir = dataDir();
    // What a parent SIGKILLed mid-birth leaves: the child's run, in its own group, and its pid file.
    const orphan = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "--data", dir], {
      detached: true,
      stdio: "ignore",
    });
    started.push(orphan.pid!);
    writeFileSync(join(dir, CHILD_RUN_PID_FILE), JSON.stringify({ pid: orphan.pid, dataDir: dir }));
    const outcome = await runChildCli({
      command: node("console.log('second run')"),
      args: [],
      dataDir: dir,
      env: {},
      mnemonic: generateMnemonic(),
      what: "the run",
      killAfterMs: 2_000,
    });
    expect(outcome.stdout).toEqual(["second run"]);
    expect(alive(orphan.pid!)).toBe(false);
  });

  it("leaves alone a process whose pid a stale pid file names but that runs something else", async () => {
    const dir = dataDir();
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    started.push(other.pid!);
    writeFileSync(join(dir, CHILD_RUN_PID_FILE), JSON.stringify({ pid: other.pid, dataDir: dir }));
    await runChildCli({
      command: node("console.log('ran')"),
      args: [],
      dataDir: dir,
      env: {},
      mnemonic: generateMnemonic(),
      what: "the run",
    });
    expect(alive(other.pid!)).toBe(true);
  });
});
