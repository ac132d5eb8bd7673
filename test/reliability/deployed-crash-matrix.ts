import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import type { AgentExit } from "../../support/agent-process.js";
import { fastAgentSettings } from "../support/agent-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { leadershipOfStatus, type RemoteStatus, remoteStatus } from "../support/deployed-agent-probes.js";
import { waitFor } from "../support/devnet.js";

/**
 * What the crash matrices of deployed agents share (the handover's and the self-upgrade's): on one
 * devnet whose providers run this package's own entry point, each row is its own agent (its own
 * mnemonic) killed at one step, with the crash points armed per agent in the providers' environment.
 */

/** The settings (as `a.b` keys) every row's agent runs with; each file adds its own. */
export const deployedCrashSettings: Record<string, unknown> = {
  ...fastAgentSettings,
  // Several agent processes start at once on a small machine: a fresh node process can take > 15 s.
  "timeouts.servicesReadyMs": 60_000,
  "agent.relayDomain": "127.0.0.1",
  "heartbeat.intervalMs": 1_000,
  "log.level": "info",
};

export interface RowAgent<Row> {
  readonly row: Row;
  readonly mnemonic: string;
  readonly keys: AgentKeys;
}

/** A fresh agent (mnemonic and keys) for each row. */
export async function rowAgents<Row>(rows: readonly Row[]): Promise<RowAgent<Row>[]> {
  const agents: RowAgent<Row>[] = [];
  for (const row of rows) {
    const mnemonic = generateMnemonic().reveal();
    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    agents.push({ row, mnemonic, keys });
  }
  return agents;
}

/**
 * A crash-point variable's value arming `stepOf(row)` for each row's own agent (`<step>@<agentId>,…`):
 * the providers' environment is shared by every agent's instances. Undefined when no row arms one.
 */
export function armedSpec<Row>(
  agents: readonly RowAgent<Row>[],
  stepOf: (row: Row) => string | undefined,
): string | undefined {
  const entries = agents.flatMap((agent) => {
    const step = stepOf(agent.row);
    return step ? [`${step}@${agent.keys.identity.agentId}`] : [];
  });
  return entries.length > 0 ? entries.join(",") : undefined;
}

/** Temporary directories of a matrix: removed at the end unless a row failed (then named on stderr). */
export function matrixDirs(name: string) {
  const dirs: string[] = [];
  return {
    make(prefix: string): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    cleanUp(failed: boolean): void {
      if (failed || process.env.KEEP_TEST_DIRS) {
        process.stderr.write(`[${name}] logs and data directories stay in ${dirs.join(" ")}\n`);
        return;
      }
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One progress line per milestone of a row (stderr), so that a row that hangs shows where. */
export function rowProgress(matrix: string, label: string): (text: string) => void {
  return (text) =>
    process.stderr.write(`[${matrix} ${label} ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

export const describeExit = (exit: AgentExit) => (exit.signal ? exit.signal : `exit ${exit.code}`);

/** The most restarts the provider made of each of this owner's deployments' processes (polled). */
export function watchRestarts(
  devnet: DevnetHandle,
  owner: string,
): { byDseq: Map<string, number>; total(): number; stop(): void } {
  const byDseq = new Map<string, number>();
  const poll = () => {
    for (const info of devnet.agentProcesses()) {
      if (info.owner !== owner) continue;
      byDseq.set(info.dseq, Math.max(byDseq.get(info.dseq) ?? 0, info.restarts));
    }
  };
  poll();
  const timer = setInterval(poll, 100);
  return {
    byDseq,
    total: () => [...byDseq.values()].reduce((sum, n) => sum + n, 0),
    stop: () => clearInterval(timer),
  };
}

/** The owner's active deployments on chain (their dseqs). */
export async function activeDeployments(devnet: DevnetHandle, owner: string): Promise<string[]> {
  const audit = chainAudit(devnet);
  try {
    return (await audit.deployments(owner)).filter((d) => d.state === DEPLOYMENT_ACTIVE).map((d) => d.dseq);
  } finally {
    audit.close();
  }
}

/** The agent processes the providers run for this owner, with the address each serves HTTP on. */
export function ownProcesses(devnet: DevnetHandle, owner: string) {
  return devnet
    .agentProcesses()
    .filter((info) => info.owner === owner)
    .map((info) => ({
      dseq: info.dseq,
      pid: info.pid,
      restarts: info.restarts,
      uri: info.env.AGENT_HTTP_PORT ? `127.0.0.1:${info.env.AGENT_HTTP_PORT}` : null,
    }));
}

/** Waits until the owner runs exactly one agent process (a closed deployment's process goes). */
export async function untilOneProcess(devnet: DevnetHandle, owner: string, timeoutMs: number) {
  return waitFor(
    () => {
      const mine = ownProcesses(devnet, owner);
      return mine.length === 1 ? mine : undefined;
    },
    timeoutMs,
    "one agent process of this owner",
  ).catch(() => ownProcesses(devnet, owner));
}

/** Waits until the instance at `uri` leads `generation` with an active lease; its status. */
export async function leadingAt(uri: string, generation: number, timeoutMs: number): Promise<RemoteStatus> {
  return waitFor(
    async () => {
      const status = await remoteStatus(uri).catch(() => undefined);
      const leadership = status && leadershipOfStatus(status);
      return leadership?.state === "leading" &&
        leadership.generation === generation &&
        status?.state.startsWith("active")
        ? status
        : undefined;
    },
    timeoutMs,
    `the instance at ${uri} to lead generation ${generation}`,
  );
}

/** Runs `run` over `items`, `concurrency` at a time, keeping their order in the results. */
export async function runRows<Item, Outcome>(
  items: readonly Item[],
  concurrency: number,
  run: (item: Item) => Promise<Outcome>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        outcomes[index] = await run(items[index]!);
      }
    }),
  );
  return outcomes;
}

export interface MatrixRowOutcome {
  /** The row's own columns (e.g. side and step), as the table's `columns` name them. */
  readonly cells: readonly string[];
  readonly ok: boolean;
  readonly outcome: string;
  readonly ms: number;
}

/** The matrix as a text table: `#`, the row's columns, result, seconds and outcome; then a summary. */
export function formatMatrixTable(
  what: string,
  columns: readonly (readonly [name: string, width: number])[],
  outcomes: readonly MatrixRowOutcome[],
  wallMs: number,
): string {
  const widths = [3, ...columns.map(([, width]) => width), 6, 7];
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" │ ");
  const out = [`${line(["#", ...columns.map(([name]) => name), "result", "s"])} │ outcome`];
  outcomes.forEach((o, i) => {
    out.push(
      `${line([String(i + 1), ...o.cells, o.ok ? "ok" : "FAIL", (o.ms / 1000).toFixed(1)])} │ ${o.outcome}`,
    );
  });
  const failed = outcomes.filter((o) => !o.ok).length;
  out.push(
    `${outcomes.length} ${what}, ${outcomes.length - failed} ok, ${failed} failed; wall time ${(wallMs / 1000).toFixed(1)} s`,
  );
  return out.join("\n");
}
