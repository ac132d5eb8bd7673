import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { AgentError } from "../../errors.js";
import {
  DEVNET_PROCESS_FILE,
  type DevnetProcessRecord,
  devnetAgentProcesses,
  devnetAnswers,
  isProcessAlive,
  readDevnetProcessRecord,
  removeDevnetProcessRecord,
} from "../../runtime/devnet-process-record.js";
import { MANAGED_DEVNET_DIR } from "../../runtime/managed-devnet.js";
import type { GlobalOptions } from "../cli-options.js";
import { print } from "../cli-options.js";

const DEFAULT_DATA_DIR = ".agent-data";
const STOP_TIMEOUT_MS = 20_000;

/**
 * Folders under `dataDir` that may hold a devnet's record: `dataDir` itself (`akash-agent devnet
 * --data DIR`) and each run's devnet (`npm start`, `run --network devnet` without --devnet-url).
 */
function devnetDirsUnder(dataDir: string): string[] {
  const dirs = [dataDir];
  const runs = join(dataDir, "devnet-runs");
  if (existsSync(runs)) {
    for (const run of readdirSync(runs).sort()) dirs.push(join(runs, run, MANAGED_DEVNET_DIR));
  }
  return dirs.filter((dir) => existsSync(join(dir, DEVNET_PROCESS_FILE)));
}

async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isProcessAlive)) {
    if (Date.now() >= deadline) return false;
    await new Promise((done) => setTimeout(done, 100));
  }
  return true;
}

function killIfAlive(pid: number): void {
  try {
    if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
  } catch {
    // gone meanwhile
  }
}

/** Stops one recorded devnet and the agent processes it runs; returns what it did, in one line. */
async function stopRecorded(dir: string, record: DevnetProcessRecord): Promise<string> {
  if (!isProcessAlive(record.pid)) {
    removeDevnetProcessRecord(dir, record.pid);
    return `the devnet recorded in ${dir} (pid ${record.pid}) was not running: record removed`;
  }
  if ((await devnetAnswers(record.control)) === null) {
    throw new AgentError(
      `pid ${record.pid} (recorded in ${join(dir, DEVNET_PROCESS_FILE)}) runs but its control URL ${record.control} does not answer: it may not be the devnet, so it is left alone; stop it yourself if it is`,
    );
  }
  const agents = (await devnetAgentProcesses(record.control)).flatMap((agent) =>
    agent.pid === null ? [] : [agent.pid],
  );
  process.kill(record.pid, "SIGTERM");
  if (!(await waitUntilGone([record.pid], STOP_TIMEOUT_MS))) killIfAlive(record.pid);
  // The devnet stops its agent processes as it stops; one that outlived it is killed.
  if (!(await waitUntilGone(agents, 5_000))) for (const pid of agents) killIfAlive(pid);
  removeDevnetProcessRecord(dir, record.pid);
  const ran = agents.length === 0 ? "" : ` and the agent processes it ran (pid ${agents.join(", ")})`;
  return `stopped the devnet (pid ${record.pid}, ${record.control})${ran}`;
}

export function registerDevnetStopCommand(devnet: Command): void {
  devnet
    .command("stop")
    .description(
      "stop the devnet that `npm start` (or `akash-agent devnet --data DIR`) left running for --data, and the agents it runs",
    )
    .option(
      "--data <dir>",
      `the data directory given to npm start / run, or the devnet's --data (default ${DEFAULT_DATA_DIR})`,
    )
    .action(async (given: { data?: string }, command: Command) => {
      const dataDir = given.data ?? command.optsWithGlobals<GlobalOptions>().data ?? DEFAULT_DATA_DIR;
      const dirs = devnetDirsUnder(dataDir);
      if (dirs.length === 0 && existsSync(join(dataDir, "devnet-runs"))) {
        print(`no devnet of ${dataDir} is running: nothing to stop`);
        return;
      }
      if (dirs.length === 0) {
        throw new AgentError(
          `no devnet is recorded under ${dataDir}: give the --data of the \`npm start\`/\`run\` (or of \`akash-agent devnet --data\`) that started it`,
        );
      }
      for (const dir of dirs) {
        const record = readDevnetProcessRecord(dir);
        if (record === null) continue;
        print(await stopRecorded(dir, record));
      }
    });
}
