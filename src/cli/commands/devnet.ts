import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_BLOCK_TIME_MS, DEFAULT_PROVIDER_COUNT } from "../../devnet/devnet-defaults.js";
import type { DevnetEndpoints } from "../../devnet/index.js";
import { UsageError } from "../../errors.js";
import { removeDevnetProcessRecord, writeDevnetProcessRecord } from "../../runtime/devnet-process-record.js";
import { cliContext, type GlobalOptions } from "../cli-options.js";
import { registerDevnetStopCommand } from "./devnet-stop.js";

const MIN_BLOCK_TIME_MS = 10;
const MAX_PROVIDERS = 50;

interface DevnetFlags {
  blockTime?: string;
  providers?: string;
  json?: boolean;
  data?: string;
  agentImage?: string;
  agentCommand?: string;
  agentProcess?: boolean;
  cronos?: boolean;
  croPrice?: string;
  nostr?: boolean;
  receivers?: boolean;
  arweave?: boolean;
  dns?: boolean;
}

/** `--agent-command` is a JSON array of argv strings, or a plain command line split on spaces. */
function parseAgentCommand(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`--agent-command is not a valid JSON array (got ${JSON.stringify(raw)})`);
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((a) => typeof a === "string" && a.length > 0)
    ) {
      throw new UsageError(
        `--agent-command must be a non-empty JSON array of strings (got ${JSON.stringify(raw)})`,
      );
    }
    return parsed;
  }
  const argv = text.split(/\s+/).filter(Boolean);
  if (argv.length === 0) throw new UsageError("--agent-command must not be empty");
  return argv;
}

function parseIntFlag(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  unit: string,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new UsageError(
      `${flag} must be a whole number of ${unit} between ${min} and ${max} (got "${raw}")`,
    );
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new UsageError(`${flag} must be between ${min} and ${max} ${unit} (got ${value})`);
  }
  return value;
}

/** What the providers run for the agent's image, for the summary. */
interface AgentProcessSummary {
  readonly image: string;
  readonly command: readonly string[];
  readonly logDir: string;
  readonly volumeRoot: string | null;
}

function agentLines(agents: AgentProcessSummary | null): string[] {
  if (agents === null) return ["  agent image none: every image runs as a placeholder (--no-agent-process)"];
  return [
    `  agent image ${agents.image}   runs as: ${agents.command.join(" ")}`,
    `              logs in ${agents.logDir}`,
    `              volumes in ${agents.volumeRoot ?? "a temporary directory, removed at stop"}`,
  ];
}

function summary(endpoints: DevnetEndpoints, agents: AgentProcessSummary | null): string {
  const lines = [
    `Akash devnet ${endpoints.chainId} is running (block time ${endpoints.blockTimeMs} ms)`,
    `  rpc         ${endpoints.rpc}`,
    `  websocket   ${endpoints.websocket}`,
    `  grpc        ${endpoints.grpc}`,
    `  faucet      ${endpoints.faucet}   (POST {"address","amount"} in uakt)`,
    `  console api ${endpoints.consoleApi}`,
    `  control     ${endpoints.control}   (GET /endpoints for this list as JSON)`,
    ...(endpoints.cronos
      ? [
          `  cronos rpc  ${endpoints.cronos.rpc}   (chain id ${endpoints.cronos.chainId}; faucet takes 0x… with amount in wei)`,
          `    router ${endpoints.cronos.router}  wcro ${endpoints.cronos.wcro}  akt ${endpoints.cronos.akt}`,
        ]
      : []),
    ...(endpoints.nostr ? [`  nostr relay ${endpoints.nostr.relay}   (NIP-01, NIP-11, NIP-42)`] : []),
    ...(endpoints.receivers
      ? [
          `  alerts      webhook ${endpoints.receivers.webhook}`,
          `              slack   ${endpoints.receivers.slack}`,
          `              telegram ${endpoints.receivers.telegram}   (in place of https://api.telegram.org)`,
          `              (GET {control}/received/{webhook|slack|telegram} lists what each got)`,
        ]
      : []),
    ...(endpoints.arweave
      ? [
          `  arweave     ${endpoints.arweave.gateway}   (gateway + /graphql; faucet takes Arweave addresses with amount in winston)`,
        ]
      : []),
    ...(endpoints.dns
      ? [
          `  dns         ${endpoints.dns}   (UDP; A records for the leases' *.ingress.*.devnet.localhost names)`,
        ]
      : []),
    ...agentLines(agents),
    `  providers:`,
    ...endpoints.providers.map(
      (p) => `    ${p.address}  ${p.hostUri}  ${p.region}${p.audited ? "  audited" : ""}`,
    ),
    "Press Ctrl+C to stop.",
  ];
  return `${lines.join("\n")}\n`;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/**
 * The agent image and the process the providers run for it: by default `agent.image` as this
 * package's own entry point, logs and volumes beside `--data` (else logs in a temporary directory
 * that is kept, volumes in one removed at stop).
 */
async function agentProcesses(
  command: Command,
  flags: DevnetFlags,
  agentCommand: string[] | undefined,
): Promise<AgentProcessSummary> {
  const image = flags.agentImage ?? cliContext(command).config.agent.image;
  const logDir =
    flags.data !== undefined
      ? join(flags.data, "agent-logs")
      : mkdtempSync(join(tmpdir(), "akash-devnet-agent-logs-"));
  const { ownAgentProcessOptions } = await import("../../devnet/own-agent-processes.js");
  const own = agentCommand === undefined ? ownAgentProcessOptions(image, logDir) : null;
  if (own === null) mkdirSync(logDir, { recursive: true });
  return {
    image,
    command: own?.agentCommand ?? (agentCommand as string[]),
    logDir,
    volumeRoot: flags.data !== undefined ? join(flags.data, "agent-volumes") : null,
  };
}

export function registerDevnetCommand(program: Command): void {
  const devnetCommand = program
    .command("devnet")
    .description("start a local Akash devnet (chain + providers) on loopback and run until interrupted")
    .option(
      "--block-time <ms>",
      `block interval in milliseconds (default ${DEFAULT_BLOCK_TIME_MS}; mainnet is ~6000)`,
    )
    .option("--providers <n>", `number of simulated providers (default ${DEFAULT_PROVIDER_COUNT})`)
    .option("--json", "print the endpoints as one line of JSON once ready")
    .option("--data <dir>", "keep the chain's state in this directory across stop and start")
    .option(
      "--agent-image <image>",
      "manifest image that providers run as a local process (default: agent.image, the agent's own)",
    )
    .option(
      "--agent-command <argv>",
      "the process to run for the agent image: a JSON array or a space-separated command (default: this package's `node dist/main.js run`)",
    )
    .option("--no-agent-process", "run every image as a placeholder, the agent's too (no local processes)")
    .option("--no-cronos", "leave out the Cronos EVM stand-in (Uniswap V2, AKT token, IBC relayer)")
    .option("--no-arweave", "leave out the Arweave gateway stand-in (arlocal)")
    .option("--cro-price <usd>", "USD price of 1 CRO that seeds the WCRO/AKT pool (default 0.10)")
    .option("--no-nostr", "leave out the Nostr relay")
    .option("--no-receivers", "leave out the alert receivers (JSON webhook, Slack webhook, Telegram Bot API)")
    .option("--no-dns", "leave out the DNS server for the leases' ingress names")
    .action(async (given: DevnetFlags, command: Command) => {
      // `--data` is also the program's global option, which commander fills instead of this command's.
      const data = given.data ?? command.optsWithGlobals<GlobalOptions>().data;
      const flags: DevnetFlags = { ...given, ...(data !== undefined ? { data } : {}) };
      const blockTimeMs = parseIntFlag(
        "--block-time",
        flags.blockTime,
        DEFAULT_BLOCK_TIME_MS,
        MIN_BLOCK_TIME_MS,
        600_000,
        "milliseconds",
      );
      const providers = parseIntFlag(
        "--providers",
        flags.providers,
        DEFAULT_PROVIDER_COUNT,
        1,
        MAX_PROVIDERS,
        "providers",
      );
      const agentCommand = parseAgentCommand(flags.agentCommand);
      if (flags.agentProcess === false && (flags.agentImage !== undefined || agentCommand !== undefined)) {
        throw new UsageError(
          "--no-agent-process runs no agent process: drop it, or drop --agent-image and --agent-command",
        );
      }
      const croPrice = flags.croPrice?.trim();
      if (croPrice !== undefined && !(/^\d+(\.\d+)?$/.test(croPrice) && Number(croPrice) > 0)) {
        throw new UsageError(
          `--cro-price must be a positive decimal number of USD, e.g. 0.10 (got "${flags.croPrice}")`,
        );
      }
      if (croPrice !== undefined && flags.cronos === false) {
        throw new UsageError("--cro-price needs the Cronos stand-in: drop --no-cronos or --cro-price");
      }
      const agents = flags.agentProcess === false ? null : await agentProcesses(command, flags, agentCommand);
      const signal = untilSignal();
      // Loaded here, not at start-up: every other command would pay for Hardhat, arlocal and the relay.
      const { startDevnet } = await import("../../devnet/index.js");
      const devnet = await startDevnet({
        blockTimeMs,
        providers,
        cronos: flags.cronos === false ? false : croPrice !== undefined ? { croPriceUsd: croPrice } : true,
        ...(flags.nostr === false ? { nostr: false } : {}),
        ...(flags.receivers === false ? { receivers: false } : {}),
        arweave: flags.arweave !== false,
        ...(flags.dns === false ? { dns: false } : {}),
        ...(flags.data !== undefined ? { dataDir: flags.data } : {}),
        ...(agents
          ? {
              agentImage: agents.image,
              agentCommand: agents.command,
              agentLogDir: agents.logDir,
              ...(agents.volumeRoot !== null ? { agentVolumeRoot: agents.volumeRoot } : {}),
            }
          : {}),
      });
      const endpoints = devnet.endpoints();
      // Recorded for `npm start` (which reuses a devnet that answers) and `devnet stop --data`.
      if (flags.data !== undefined) {
        writeDevnetProcessRecord(flags.data, {
          pid: process.pid,
          control: endpoints.control,
          startedAt: new Date().toISOString(),
        });
      }
      process.stdout.write(flags.json ? `${JSON.stringify(endpoints)}\n` : summary(endpoints, agents));
      await signal;
      await devnet.stop();
      if (flags.data !== undefined) removeDevnetProcessRecord(flags.data, process.pid);
    });
  registerDevnetStopCommand(devnetCommand);
}
