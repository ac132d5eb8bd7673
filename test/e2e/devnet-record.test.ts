import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/index.js";
import {
  devnetProcessRecordPath,
  isProcessAlive,
  writeDevnetProcessRecord,
} from "../../src/runtime/devnet-process-record.js";
import { devnetRunDir } from "../../src/runtime/devnet-runs.js";
import { findManagedDevnet, MANAGED_DEVNET_DIR } from "../../src/runtime/managed-devnet.js";
import { runCli } from "../../support/run-cli.js";

const quiet = createLogger({ level: "silent", json: true });

/** A process that is not a devnet: it must never be signalled by `devnet stop`. */
function bystander(): ChildProcess {
  return spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid as number;
}

/** A run folder under `dataDir` whose devnet record says `pid` and `control`. */
function recordedRun(dataDir: string, pid: number, control: string): string {
  const devnetDir = join(devnetRunDir(dataDir, new Date()), MANAGED_DEVNET_DIR);
  mkdirSync(devnetDir, { recursive: true });
  writeDevnetProcessRecord(devnetDir, { pid, control, startedAt: new Date().toISOString() });
  return devnetDir;
}

describe("the devnet record npm start reuses and devnet stop reads", () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "devnet-record-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("a record whose process is gone is stale: npm start removes it and starts anew, devnet stop says so", async () => {
    const dataDir = tempDir();
    const devnetDir = recordedRun(dataDir, await deadPid(), "http://127.0.0.1:9");
    expect(await findManagedDevnet(dataDir, quiet)).toBeNull();
    expect(existsSync(devnetProcessRecordPath(devnetDir))).toBe(false);

    const again = recordedRun(dataDir, await deadPid(), "http://127.0.0.1:9");
    const stopped = await runCli(["devnet", "stop", "--data", dataDir]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/was not running: record removed/);
    expect(existsSync(devnetProcessRecordPath(again))).toBe(false);
    const nothing = await runCli(["devnet", "stop", "--data", dataDir]);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to stop/);
  });

  it("a live pid whose control URL does not answer is not the devnet: never signalled", async () => {
    const other = bystander();
    children.push(other);
    const pid = other.pid as number;
    const dataDir = tempDir();
    const devnetDir = recordedRun(dataDir, pid, "http://127.0.0.1:9");
    const refused = await runCli(["devnet", "stop", "--data", dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`pid ${pid} .* does not answer: it may not be the devnet`));
    expect(isProcessAlive(pid)).toBe(true);
    // npm start does not reuse it either, and drops the record (the process itself is left alone).
    expect(await findManagedDevnet(dataDir, quiet)).toBeNull();
    expect(existsSync(devnetProcessRecordPath(devnetDir))).toBe(false);
    expect(isProcessAlive(pid)).toBe(true);
  });

  it("a directory with no devnet record is refused with what to give", async () => {
    const none = await runCli(["devnet", "stop", "--data", tempDir()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no devnet is recorded under .*: give the --data of the `npm start`/);
  });
});
