import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { reservedEnvNames } from "../config/config-fields.js";
import type { AgentConfig } from "../config/index.js";
import { ownAgentCommand } from "../devnet/agent-entry-point.js";
import { AgentError } from "../errors.js";
import type { Logger } from "../logging/index.js";
import type { ResolvedDevnetEndpoints } from "../services/akash/akash-endpoints.js";
import {
  devnetAnswers,
  isProcessAlive,
  readDevnetProcessRecord,
  removeDevnetProcessRecord,
} from "./devnet-process-record.js";
import { devnetRunDir, latestDevnetRunDir } from "./devnet-runs.js";

/** Inside a run's folder, the devnet's own `--data` (its chain, relay events, agent logs and volumes). */
export const MANAGED_DEVNET_DIR = "devnet";

const START_TIMEOUT_MS = 180_000;

/**
 * The devnet `run --network devnet` uses when no --devnet-url is given (what `npm start` does): its
 * own detached process, so that the deployed agent outlives the run. Its state is in the data
 * directory's run folder, beside the bootstrap's agent state.
 */
export interface ManagedDevnet {
  readonly control: string;
  readonly pid: number;
  /** The run's folder: the bootstrap's agent state. */
  readonly runDir: string;
  /** The devnet's `--data` inside it. */
  readonly devnetDir: string;
  readonly logFile: string;
  /** True when an earlier run started it and it still answers. */
  readonly reused: boolean;
  readonly endpoints: ResolvedDevnetEndpoints;
}

function logFileOf(runDir: string): string {
  return join(runDir, "devnet.log");
}

/** The devnet an earlier run started for this data directory, if it still answers; a stale record is removed. */
export async function findManagedDevnet(dataDir: string, logger: Logger): Promise<ManagedDevnet | null> {
  const runDir = latestDevnetRunDir(dataDir);
  if (runDir === null) return null;
  const devnetDir = join(runDir, MANAGED_DEVNET_DIR);
  const record = readDevnetProcessRecord(devnetDir);
  if (record === null) return null;
  const endpoints = isProcessAlive(record.pid) ? await devnetAnswers(record.control) : null;
  if (endpoints === null) {
    logger.warn(
      { pid: record.pid, control: record.control, devnetDir },
      `the devnet recorded in ${devnetDir} (pid ${record.pid}) no longer runs: starting a new one`,
    );
    removeDevnetProcessRecord(devnetDir, record.pid);
    return null;
  }
  return {
    control: record.control,
    pid: record.pid,
    runDir,
    devnetDir,
    logFile: logFileOf(runDir),
    reused: true,
    endpoints,
  };
}

/** The environment of the devnet process: the operator's, without the agent's secrets. */
function devnetEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !reservedEnvNames.has(name)));
}

function lastLines(file: string, count: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count).join("\n");
  } catch {
    return "";
  }
}

/** Starts `akash-agent devnet` detached, in a new run folder, and waits until it has recorded itself. */
export async function startManagedDevnet(o: {
  config: AgentConfig;
  dataDir: string;
  logger: Logger;
}): Promise<ManagedDevnet> {
  const { config, logger } = o;
  const runDir = resolve(devnetRunDir(o.dataDir, new Date()));
  const devnetDir = join(runDir, MANAGED_DEVNET_DIR);
  mkdirSync(devnetDir, { recursive: true });
  const logFile = logFileOf(runDir);
  const [node, main] = ownAgentCommand();
  const args = [
    main as string,
    "devnet",
    "--data",
    devnetDir,
    "--json",
    "--block-time",
    String(config.devnet.blockTimeMs),
    "--providers",
    String(config.devnet.providers),
    "--agent-image",
    config.agent.image,
  ];
  logger.info({ runDir, logFile }, `starting the devnet as its own process; its output is in ${logFile}`);
  const output = openSync(logFile, "a");
  const child = spawn(node as string, args, {
    detached: true,
    stdio: ["ignore", output, output],
    env: devnetEnv(process.env),
  });
  closeSync(output);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new AgentError(`the devnet process could not be started (see ${logFile})`);
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new AgentError(
        `the devnet process exited (code ${exited}) before it was ready; its output (${logFile}):\n${lastLines(logFile, 15)}`,
      );
    }
    const record = readDevnetProcessRecord(devnetDir);
    if (record !== null && record.pid === pid) {
      const endpoints = await devnetAnswers(record.control);
      if (endpoints !== null) {
        return { control: record.control, pid, runDir, devnetDir, logFile, reused: false, endpoints };
      }
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  process.kill(pid, "SIGTERM");
  throw new AgentError(
    `the devnet did not get ready within ${START_TIMEOUT_MS / 1000} s (stopped it); see ${logFile}`,
  );
}

/** The devnet of this data directory: the running one, or a new one. */
export async function useManagedDevnet(o: {
  config: AgentConfig;
  dataDir: string;
  logger: Logger;
}): Promise<ManagedDevnet> {
  const running = await findManagedDevnet(o.dataDir, o.logger);
  if (running !== null) {
    o.logger.info(
      { pid: running.pid, control: running.control, runDir: running.runDir },
      `using the devnet an earlier run started (pid ${running.pid}, ${running.control}); this run's state is in ${running.runDir}`,
    );
    return running;
  }
  const started = await startManagedDevnet(o);
  o.logger.info(
    { pid: started.pid, control: started.control, runDir: started.runDir },
    `the devnet runs as its own process (pid ${started.pid}, ${started.control}); this run's state is in ${started.runDir}`,
  );
  return started;
}
