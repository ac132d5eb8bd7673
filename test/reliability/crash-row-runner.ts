import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { isInState, type LeaseView, leaseViewFromPersisted } from "../../src/runtime/lease-view.js";
import { generateMnemonic } from "../../src/services/keys/index.js";
import { type DailySpend, type Intent, openAgentStore } from "../../src/services/store/index.js";
import {
  type AgentExit,
  type AgentLogLine,
  type AgentProcess,
  type AgentProcessOptions,
  isLeaseStateLine,
  spawnAgent,
} from "../../support/agent-process.js";
import type { OwnerChainReader } from "../../support/owner-chain-footprint.js";
import { storedLeaseState } from "../support/agent-database.js";
import { chainProblems, storeProblems } from "./crash-checks.js";
import { CRASH_FLOWS, PHASE_TIMEOUT_MS, type RowContext, SHARED_SETTINGS } from "./crash-flows.js";
import { type CrashRow, crashAtSpec, rowLabel } from "./crash-rows.js";

export interface MatrixEnvironment {
  readonly devnet: DevnetHandle;
  readonly reader: OwnerChainReader;
  /** Each row's data directory is made in here. */
  readonly workDir: string;
}

export interface RowResult {
  readonly row: CrashRow;
  readonly label: string;
  /** The lease state the process died in (the state that triggered the kill, or the last it logged). */
  readonly killedIn: string;
  /** The lease state the database held after the kill (what the restart resumes from). */
  readonly restoredFrom: string | null;
  /** The restarted process said it resumes from the stored snapshot. */
  readonly resumed: boolean;
  readonly reached: boolean;
  readonly target: string;
  /** The kill did not happen where the row says (nothing else of the row can then be trusted). */
  readonly setup: string[];
  readonly chain: string[];
  readonly store: string[];
  readonly notes: string[];
  readonly ms: number;
  readonly ok: boolean;
}

const RESUMING = "resuming from the stored snapshot";

interface StoreReading {
  readonly view: LeaseView | null;
  /** The health monitor's count of finished checks in the stored snapshot (null before it ran). */
  readonly healthChecks: number | null;
  readonly spending: DailySpend[];
  readonly pending: Intent[];
}

/** What the agent's database holds (read only while no agent process runs on it). */
function readStore(dataDir: string): StoreReading {
  const store = openAgentStore({ dataDir });
  try {
    const latest = store.snapshots.latest("agent");
    const root = latest ? (JSON.parse(latest.snapshotJson) as unknown) : null;
    const view = root ? leaseViewFromPersisted(root) : null;
    const health = (
      root as { children?: { health?: { snapshot?: { context?: { checks?: unknown } } } } } | null
    )?.children?.health?.snapshot?.context?.checks;
    return {
      view,
      healthChecks: typeof health === "number" ? health : null,
      spending: store.spending.dailyTotals({ from: 0, to: Date.now() + 1 }),
      pending: store.intents.pending(),
    };
  } finally {
    store.close();
  }
}

async function addressOf(mnemonic: string): Promise<string> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
  const [account] = await wallet.getAccounts();
  return account!.address;
}

/**
 * One row of the crash matrix: a fresh agent (own mnemonic and data directory) runs the row's flow as
 * a real process and is SIGKILLed at the row's kill point; the same command is started again without
 * the crash and must reach the flow's target; then the chain (read with chain-sdk) and the agent's
 * database are checked, and the row's deployments are closed so the providers' capacity stays free.
 */
export async function runCrashRow(row: CrashRow, environment: MatrixEnvironment): Promise<RowResult> {
  const started = Date.now();
  const flow = CRASH_FLOWS[row.flow];
  const mnemonic = generateMnemonic().reveal();
  const owner = await addressOf(mnemonic);
  const dataDir = mkdtempSync(join(environment.workDir, `${row.flow}-`));
  const context: RowContext = { devnet: environment.devnet, reader: environment.reader, owner, facts: {} };
  const base: AgentProcessOptions = {
    devnetUrl: environment.devnet.control,
    dataDir,
    mnemonic,
    settings: { ...SHARED_SETTINGS, ...flow.settings },
  };
  const setup: string[] = [];
  const processes: AgentProcess[] = [];
  const start = (options: AgentProcessOptions) => {
    const agent = spawnAgent(options);
    processes.push(agent);
    return agent;
  };

  try {
    // Phase 1: run the flow and kill it.
    const crashAt = crashAtSpec(row.kill);
    const first = start({
      ...base,
      ...flow.command,
      ...(crashAt ? { crashAt } : {}),
      // The health monitor's steps are logged at debug level: a reads row counts them.
      ...(row.kill.kind === "reads" ? { logLevel: "debug" } : {}),
    });
    const driving = flow.drive(first, context).catch((error: unknown) => {
      setup.push(`driving the flow: ${(error as Error).message}`);
    });
    let killedIn: string;
    if (row.kill.kind === "state") {
      const wanted = row.kill.state;
      const stored = row.kill.stored
        ? () => {
            const lease = storedLeaseState(dataDir);
            return lease !== null && isInState(lease, wanted);
          }
        : undefined;
      const { exit, killedAt } = await first.killWhenLeaseEnters(wanted, PHASE_TIMEOUT_MS * 2, stored);
      if (killedAt === null || exit.signal !== "SIGKILL") {
        setup.push(`never entered ${row.kill.state}: exit ${exit.signal ?? exit.code}`);
      }
      killedIn = killedAt ?? first.leaseStates().at(-1) ?? "none";
    } else if (row.kill.kind === "reads") {
      const { exit, killed } = await killAfterReads(
        first,
        row.kill.after,
        row.kill.checks,
        PHASE_TIMEOUT_MS * 2,
      );
      if (!killed || exit.signal !== "SIGKILL") {
        setup.push(
          `never finished ${row.kill.checks} checks after ${row.kill.after.join(" → ")}: exit ${exit.signal ?? exit.code}`,
        );
      }
      killedIn = first.leaseStates().at(-1) ?? "none";
    } else {
      const exit = await first.exitWithin(PHASE_TIMEOUT_MS * 2);
      if (exit.signal !== "SIGKILL" || exit.timedOut) {
        setup.push(
          `the crash point was not reached: ${exit.timedOut ? "timed out" : `exit ${exit.signal ?? exit.code}`}`,
        );
      }
      killedIn = first.leaseStates().at(-1) ?? "none";
    }
    await driving;

    const afterKill = readStore(dataDir);
    if (row.kill.kind === "tx") {
      const wanted = flow.txs[row.kill.n - 1]?.intentKind;
      const pending = afterKill.pending.map((intent) => intent.kind);
      if (!pending.includes(wanted ?? "")) {
        setup.push(
          `the crash did not stop a ${wanted} tx (pending intents: ${pending.join(", ") || "none"})`,
        );
      }
    }

    if (row.kill.kind === "reads") {
      // The row is about steps that were not written: the database must hold fewer checks than were made.
      const made = first.lines.filter(isFinishedCheck).length;
      if (afterKill.healthChecks !== null && afterKill.healthChecks >= made) {
        setup.push(
          `the database holds all ${made} checks made: the kill was not between a read-only step and a barrier`,
        );
      }
    }

    // Phase 2: the same command, no crash, until the flow's target.
    const outcome = await flow.resume((command) => start({ ...base, ...command }), context);
    const resumed = outcome.agent.lines.some((line) => line.msg === RESUMING);

    const final = readStore(dataDir);
    const footprint = await environment.reader.footprint(owner);
    const chain = chainProblems(footprint, flow.expected, final.view, context.facts);
    const store = storeProblems(footprint, final.spending, final.pending);
    const ok = setup.length === 0 && resumed && outcome.reached && chain.length === 0 && store.length === 0;
    return {
      row,
      label: rowLabel(row),
      killedIn,
      restoredFrom: afterKill.view?.state ?? null,
      resumed,
      reached: outcome.reached,
      target: outcome.detail,
      setup,
      chain,
      store,
      notes: outcome.notes,
      ms: Date.now() - started,
      ok,
    };
  } finally {
    for (const agent of processes) agent.signal("SIGKILL");
    await Promise.all(processes.map((agent) => agent.exited));
    await flow.cleanup(context);
    await environment.reader.closeAll(mnemonic);
  }
}

/** A health check finished: the monitor logged its move from checking to waiting for the next one. */
const isFinishedCheck = (line: AgentLogLine) => line.actor === "health" && line.state === "waiting";

/**
 * SIGKILLs the agent once its lease has logged each state of `after` in turn and then its health
 * monitor finished `checks` more checks; resolves with the exit (`killed` false when it ended first).
 */
async function killAfterReads(
  agent: AgentProcess,
  after: readonly string[],
  checks: number,
  timeoutMs: number,
): Promise<{ exit: AgentExit; killed: boolean }> {
  let passed = 0;
  let counted = 0;
  let killed = false;
  const watch = (line: AgentLogLine) => {
    if (killed) return;
    if (passed < after.length) {
      const wanted = after[passed] ?? "";
      if (isLeaseStateLine(line) && isInState(line.state, wanted)) passed += 1;
      return;
    }
    if (isFinishedCheck(line)) counted += 1;
    if (counted >= checks) {
      killed = true;
      agent.signal("SIGKILL");
    }
  };
  for (const line of agent.lines) watch(line);
  const remove = agent.onLine(watch);
  const timer = setTimeout(() => agent.signal("SIGKILL"), timeoutMs);
  const exit = await agent.exited;
  clearTimeout(timer);
  remove();
  return { exit, killed };
}

/** The result of a row whose run threw (a broken devnet or test harness, not a verdict on the agent). */
export function erroredRow(row: CrashRow, error: unknown, ms: number): RowResult {
  return {
    row,
    label: rowLabel(row),
    killedIn: "?",
    restoredFrom: null,
    resumed: false,
    reached: false,
    target: "not run",
    setup: [`the row could not run: ${error instanceof Error ? error.message : String(error)}`],
    chain: [],
    store: [],
    notes: [],
    ms,
    ok: false,
  };
}

/** Everything wrong with a row, one line each (empty when it is ok). */
export function rowProblems(result: RowResult): string[] {
  return [
    ...result.setup.map((text) => `kill: ${text}`),
    ...(result.resumed ? [] : ["the restarted agent did not resume from its stored snapshot"]),
    ...(result.reached ? [] : [`target not reached: ${result.target}`]),
    ...result.chain.map((text) => `chain: ${text}`),
    ...result.store.map((text) => `store: ${text}`),
  ];
}
