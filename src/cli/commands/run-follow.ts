import { basename, relative } from "node:path";
import type { AgentConfig } from "../../config/index.js";
import type { Logger } from "../../logging/index.js";
import { devnetAgentProcesses } from "../../runtime/devnet-process-record.js";
import { instanceUrl } from "../../runtime/handover.js";
import type { ManagedDevnet } from "../../runtime/managed-devnet.js";
import { print } from "../cli-options.js";
import { followLeader, type LeaderLocation } from "./leader-follower.js";

const DEFAULT_DATA_DIR = ".agent-data";
/** How often the leader's /api/status is read while following. */
const STATUS_POLL_MS = 2_000;

function quoted(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : JSON.stringify(path);
}

/** The exact command that stops the devnet this data directory's runs use, as this process was started. */
export function devnetStopCommand(dataDir: string): string {
  if (process.env.npm_lifecycle_event === "start") {
    return dataDir === DEFAULT_DATA_DIR ? "npm stop" : `npm stop -- --data ${quoted(dataDir)}`;
  }
  const script = process.argv[1] ?? "";
  const nearby = relative(process.cwd(), script);
  const path = nearby.startsWith("..") ? script : nearby;
  const cli = basename(script) === "main.js" ? `node ${quoted(path)}` : "akash-agent";
  return `${cli} devnet stop --data ${quoted(dataDir)}`;
}

/** The pid of the process the devnet's provider runs for the leader's deployment, if it reports one. */
async function leaderPid(control: string, dseq: string): Promise<number | null> {
  const agents = await devnetAgentProcesses(control);
  return agents.find((agent) => agent.dseq === dseq && agent.pid !== null)?.pid ?? null;
}

/**
 * `npm start` after the handover (or on a data directory that handed over): says where the agent
 * lives, prints its heartbeats and status changes until Ctrl-C, then says that the agent keeps
 * running on the devnet and how to stop it. Exits 0.
 */
export async function followDeployedAgent(o: {
  config: AgentConfig;
  /** The data directory the operator gave (the stop command names it). */
  dataDir: string;
  devnet: ManagedDevnet;
  leader: LeaderLocation;
  /** The agent's Nostr key, when this process has the keys. */
  pubkey: string | null;
  /** True when an earlier run handed over and this one only follows. */
  existing: boolean;
  interrupted: Promise<void>;
  logger: Logger;
}): Promise<void> {
  const { devnet, leader } = o;
  const url = instanceUrl(leader.uri);
  const pid = await leaderPid(devnet.control, leader.dseq);
  const stopCommand = devnetStopCommand(o.dataDir);
  print(
    [
      "",
      o.existing
        ? `  the agent already runs in its own lease (generation ${leader.generation}, handed over by an earlier run): following it`
        : `  handed over: the agent now runs in its own lease (generation ${leader.generation})`,
      `  dseq        ${leader.dseq}`,
      `  provider    ${leader.provider}`,
      `  uri         ${url}`,
      `  live page   ${new URL("/", url).toString()}   (a browser; its WebSocket is ${new URL("/live", url).toString().replace(/^http/, "ws")})`,
      `  status      ${new URL("/api/status", url).toString()}   (akash-agent status --remote ${leader.uri})`,
      `  process     ${pid === null ? "not reported by the devnet" : `pid ${pid}`} (run by the provider on the devnet)`,
      `  devnet      pid ${devnet.pid}, control ${devnet.control}   (output in ${devnet.logFile})`,
      `  following its heartbeats and status until Ctrl-C; the agent keeps running after it (stop it with: ${stopCommand})`,
      "",
    ].join("\n"),
  );
  const relays =
    o.config.nostr.relays.length > 0
      ? o.config.nostr.relays
      : devnet.endpoints.nostr
        ? [devnet.endpoints.nostr.relay]
        : [];
  const follower = followLeader({
    leader,
    relays,
    pubkey: o.pubkey,
    pollMs: STATUS_POLL_MS,
    onLine: (line) => print(line),
    logger: o.logger,
  });
  await o.interrupted;
  follower.stop();
  const now = follower.current();
  const nowPid = await leaderPid(devnet.control, now.dseq);
  print(
    [
      "",
      `  stopped following. The deployed agent keeps running at ${instanceUrl(now.uri)} on the devnet (${nowPid === null ? "" : `agent pid ${nowPid}, `}devnet pid ${devnet.pid}).`,
      `  to stop the devnet and the agent: ${stopCommand}`,
      "",
    ].join("\n"),
  );
  process.exitCode = 0;
}
