import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { DevnetHandle } from "../../src/devnet/index.js";
import type { LeaseView } from "../../src/runtime/lease-view.js";
import { generateMnemonic } from "../../src/services/keys/index.js";
import type { OwnerChainReader } from "../../support/owner-chain-footprint.js";
import { startTestAgent, type TestAgent } from "../../test/support/agent-harness.js";
import { waitFor } from "../../test/support/devnet.js";
import type { Expectation, Fault, RowContext, RowResult, Settled } from "./fault-types.js";
import { JumpableClock } from "./jumpable-clock.js";
import { fundsLine, type SpendTotals, spendTotals } from "./row-funds.js";
import { newAlerts, SETTLE_TIMEOUT_MS, untilLease, within } from "./row-waits.js";

export interface MatrixEnvironment {
  readonly devnet: DevnetHandle;
  readonly reader: OwnerChainReader;
  /** Each row's data directory is made in here. */
  readonly workDir: string;
}

/** A row of the matrix: one fault, or a pair injected together. */
export interface MatrixRow {
  readonly id: string;
  readonly faults: readonly Fault[];
  /** A pair's diagnosis when it fails for a bug found and not fixed yet. */
  readonly knownBug?: string;
}

/** Settings every row shares: a whole lifecycle in seconds on a devnet with 100 ms blocks. */
const ROW_SETTINGS: Readonly<Record<string, unknown>> = {
  "bidding.minBids": 2,
  "bidding.windowMs": 2_000,
  "timeouts.slowProviderMs": 700,
  // A deploy plus a move or a redeploy is over the default 25 USD a day.
  "budget.dailySpendCapUsd": 1_000,
  "thresholds.walletRunwayDays": 0.001,
  "escrow.topUpBelowHours": 1,
  "alerts.retryBaseMs": 200,
  "alerts.retryCapMs": 1_000,
};

/** How long the agent may take to terminate its lease once the row is over. */
const SHUTDOWN_MS = 30_000;

/** The row's expectation: the strongest of its faults' (an escalation outranks a move, a move a ride-out). */
export function rowExpectation(faults: readonly Fault[]): Expectation {
  const rank: Expectation[] = ["escalate", "move", "deploy", "ride-out"];
  return rank.find((kind) => faults.some((fault) => fault.expect === kind)) ?? "ride-out";
}

async function addressOf(mnemonic: string): Promise<string> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
  const [account] = await wallet.getAccounts();
  return account!.address;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function describeRow(row: MatrixRow) {
  const { faults } = row;
  return {
    id: row.id,
    faults: faults.map((fault) => fault.name),
    where: faults.map((fault) => fault.where).join(" + "),
    policy: faults.map((fault) => fault.policy).join(" + "),
    expect: rowExpectation(faults),
  };
}

/** A row the devnet cannot inject: reported with the reason, never run. */
function notInjectableRow(row: MatrixRow, reason: string): RowResult {
  return {
    ...describeRow(row),
    happened: "not run",
    recoverMs: null,
    alerts: [],
    funds: "",
    orphaned: null,
    problems: [],
    result: "not injectable",
    note: reason,
    ms: 0,
  };
}

/** Deployments the owner has open on chain other than the one the agent serves from. */
async function orphansOf(environment: MatrixEnvironment, owner: string, serving: string | null) {
  const footprint = await environment.reader.footprint(owner);
  return footprint.activeDeployments.filter((dseq) => dseq !== serving);
}

/**
 * Runs one row on a running devnet with the real agent in this process: injects its faults (before
 * the agent starts, or once its lease is active), waits for each fault's outcome, ends the faults,
 * then checks the chain (read with chain-sdk, none of the agent's code): no deployment open that the
 * agent does not serve from, and none at all once it terminated its lease.
 */
export async function runFaultRow(row: MatrixRow, environment: MatrixEnvironment): Promise<RowResult> {
  const blocked = row.faults.find((fault) => fault.notInjectable);
  if (blocked?.notInjectable) return notInjectableRow(row, blocked.notInjectable);

  const started = Date.now();
  const problems: string[] = [];
  const clock = new JumpableClock();
  const mnemonicSource = row.faults.find((fault) => fault.mnemonic)?.mnemonic;
  const mnemonic = mnemonicSource ? await mnemonicSource() : generateMnemonic().reveal();
  const owner = await addressOf(mnemonic);
  let agent: TestAgent | null = null;
  let launch: Parameters<typeof startTestAgent>[1] = {};
  let baseline: LeaseView | null = null;
  let alertsBefore = new Set<string>();
  const facts = new Map<string, string>();
  const context: RowContext = {
    devnet: environment.devnet,
    reader: environment.reader,
    owner,
    clock,
    rowExpect: rowExpectation(row.faults),
    agent: () => {
      if (!agent) throw new Error("the agent has not started");
      return agent;
    },
    async restart() {
      if (!agent) throw new Error("the agent has not started");
      const old = agent;
      await old.close().catch(() => undefined);
      agent = await startTestAgent(environment.devnet, { ...launch, dataDir: old.dataDir });
    },
    get baseline() {
      return baseline;
    },
    get alertsBefore() {
      return alertsBefore;
    },
    facts,
  };
  // A pair with a fault of the running lease injects both together once the lease is active: a fault
  // of the deploy path (node errors, a rejected tx, the directory down) then meets the recovery.
  const anyLate = row.faults.some((fault) => fault.phase === "while-active");
  const early = anyLate ? [] : [...row.faults];
  const late = anyLate ? [...row.faults] : [];
  let settled: PromiseSettledResult<Settled>[] = [];
  let injectedAt = started;
  let spentBefore: SpendTotals = new Map();
  let orphaned: number | null = null;
  let alerts: string[] = [];
  let funds = "";

  try {
    const placing = row.faults.find((fault) => fault.dataDir)?.dataDir;
    const placed = placing ? await placing(environment.workDir) : undefined;
    for (const fault of early) await fault.inject(context);
    const keystoreEnv: Record<string, string> = {};
    for (const fault of row.faults) Object.assign(keystoreEnv, await fault.keystoreEnv?.());
    const settings = Object.assign(
      {},
      ROW_SETTINGS,
      ...row.faults.map((fault) =>
        typeof fault.settings === "function" ? fault.settings(environment.devnet) : (fault.settings ?? {}),
      ),
    );
    launch = { mnemonic, settings, keystoreEnv, now: clock.now };
    agent = await startTestAgent(environment.devnet, {
      ...launch,
      dataDir: placed ?? mkdtempSync(join(environment.workDir, `${row.id}-`)),
    });
    if (late.length > 0) {
      baseline = await untilLease(context, "active.monitoring");
      alertsBefore = new Set(agent.store.alerts.recent(500).map((alert) => alert.id));
      spentBefore = spendTotals(agent.store);
      injectedAt = Date.now();
      for (const fault of late) await fault.inject(context);
    }
    settled = await Promise.allSettled(
      row.faults.map((fault) => within(fault.settle(context), SETTLE_TIMEOUT_MS + 30_000, fault.name)),
    );
  } catch (error) {
    problems.push(`setup: ${message(error)}`);
  } finally {
    for (const fault of row.faults) {
      await fault
        .clear(context)
        .catch((error: unknown) => problems.push(`clear ${fault.id}: ${message(error)}`));
    }
  }

  const happened = settled.map((outcome, index) =>
    outcome.status === "fulfilled"
      ? outcome.value.detail
      : `${row.faults[index]!.id}: ${message(outcome.reason)}`,
  );
  for (const [index, outcome] of settled.entries()) {
    if (outcome.status === "rejected") problems.push(`${row.faults[index]!.id}: ${message(outcome.reason)}`);
  }
  const reached =
    settled.length === row.faults.length && settled.every((outcome) => outcome.status === "fulfilled");
  const recoverMs = reached
    ? Math.max(...settled.map((outcome) => (outcome as PromiseFulfilledResult<Settled>).value.at)) -
      injectedAt
    : null;

  if (agent) {
    const running = agent;
    for (const fault of row.faults) {
      if (!fault.check) continue;
      try {
        problems.push(...(await fault.check(context)));
      } catch (error) {
        problems.push(`check ${fault.id}: ${message(error)}`);
      }
    }
    // While it serves: nothing open but the deployment it serves from (a move closes the old one).
    try {
      const serving = running.runtime.lease();
      const servingDseq = serving?.state.startsWith("active") ? serving.dseq : null;
      const extra = await waitFor(
        async () => {
          const open = await orphansOf(environment, owner, servingDseq);
          return open.length === 0 ? open : undefined;
        },
        15_000,
        "no deployment open besides the one served",
      ).catch(async () => orphansOf(environment, owner, servingDseq));
      if (extra.length > 0)
        problems.push(`chain: deployments open that the agent does not serve: ${extra.join(", ")}`);
      orphaned = extra.length;
    } catch (error) {
      problems.push(`chain: ${message(error)}`);
    }
    alerts = newAlerts(context).map((alert) => `${alert.severity}: ${alert.title}`);
    funds = fundsLine(spentBefore, spendTotals(running.store));
    // Terminate: the lease and every deployment closed, as the owner sees it on chain.
    running.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true });
    const left = await waitFor(
      async () => {
        const open = (await environment.reader.footprint(owner)).activeDeployments;
        return open.length === 0 ? open : undefined;
      },
      SHUTDOWN_MS,
      "every deployment closed after the shutdown",
    ).catch(async () => (await environment.reader.footprint(owner)).activeDeployments);
    if (left.length > 0) problems.push(`chain: the shutdown left deployments open: ${left.join(", ")}`);
    orphaned = Math.max(orphaned ?? 0, left.length);
    await running.close().catch((error: unknown) => problems.push(`close: ${message(error)}`));
  }
  await environment.reader.closeAll(mnemonic).catch(() => undefined);
  for (const fault of row.faults) {
    await fault
      .dispose?.()
      .catch((error: unknown) => problems.push(`dispose ${fault.id}: ${message(error)}`));
  }

  // What is known of a fault alone; a pair's failure is its own finding.
  const alone = row.faults.length === 1 ? row.faults[0] : undefined;
  const limit = alone?.knownLimit ?? null;
  const bug = alone?.knownBug ?? row.knownBug ?? null;
  const result = problems.length === 0 ? "pass" : limit ? "limit" : "fail";
  return {
    ...describeRow(row),
    happened: happened.join("; ") || "nothing",
    recoverMs,
    alerts,
    funds,
    orphaned,
    problems,
    result,
    note: result === "limit" ? limit : result === "fail" ? bug : null,
    ms: Date.now() - started,
  };
}
