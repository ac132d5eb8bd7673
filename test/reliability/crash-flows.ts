import type { DevnetHandle } from "../../src/devnet/index.js";
import { isInState } from "../../src/runtime/lease-view.js";
import type { AgentProcess, AgentProcessOptions } from "../../support/agent-process.js";
import type { MessageKind, OwnerChainReader, OwnerFootprint } from "../../support/owner-chain-footprint.js";

export type FlowName =
  | "deploy"
  | "renew"
  | "migrate-degraded"
  | "migrate-offline"
  | "migrate-provider-closed"
  | "terminate"
  | "watch"
  | "renew-watch";

/** The options of `run` that make up a flow's command (the rest is the same for every run of a row). */
export type RunCommand = Pick<AgentProcessOptions, "until" | "terminateOnExit">;

/** What a row learns while it drives the agent (e.g. which provider it faulted). */
export interface RowFacts {
  faultedProvider?: string;
  firstDseq?: string;
}

export interface RowContext {
  readonly devnet: DevnetHandle;
  readonly reader: OwnerChainReader;
  readonly owner: string;
  readonly facts: RowFacts;
}

export interface ResumeOutcome {
  readonly agent: AgentProcess;
  readonly reached: boolean;
  /** What the target was and what happened. */
  readonly detail: string;
  readonly notes: string[];
}

/** One transaction a flow signs, in order: its place in the flow is the `:n` of AKASH_AGENT_CRASH_AT. */
export interface FlowTx {
  readonly label: string;
  /** The kind the agent's intents table records for it. */
  readonly intentKind: string;
}

export interface ExpectedFootprint {
  /** Successful messages the owner signed, per kind, once the flow is complete. */
  readonly messages: Readonly<Record<MessageKind, number>>;
  readonly activeDeployments: 0 | 1;
  /** Flow-specific conditions on the chain (e.g. the lease left the faulted provider). */
  check?(footprint: OwnerFootprint, facts: RowFacts): string[];
}

export interface CrashFlow {
  readonly name: FlowName;
  /** `AGENT_*` settings of this flow (on top of the shared ones). */
  readonly settings: Readonly<Record<string, string>>;
  readonly command: RunCommand;
  /** Every transaction of the flow, in the order a fresh process signs them. */
  readonly txs: readonly FlowTx[];
  /** Phase 1: once the agent runs, bring it to the part of the flow under test. */
  drive(agent: AgentProcess, context: RowContext): Promise<void>;
  /** Phase 2: the restarted agent, until the flow's target. */
  resume(start: (command: RunCommand) => AgentProcess, context: RowContext): Promise<ResumeOutcome>;
  readonly expected: ExpectedFootprint;
  /** Undo the flow's faults (the devnet serves the next row). */
  cleanup(context: RowContext): Promise<void>;
}

/** How long one phase of a row may take before it counts as stuck. */
export const PHASE_TIMEOUT_MS = 60_000;
/**
 * A degraded provider answers this slowly: above the agent's slow-provider limit, and well within its
 * probe timeout (3× the limit) even on a loaded machine, where 700 ms of room once made the move's
 * probe take the provider for gone.
 */
const SLOW_PROVIDER_MS = 1_000;
const DEGRADED_DELAY_MS = 1_300;

/** Settings that make every flow fit in seconds on a devnet with 100 ms blocks. */
export const SHARED_SETTINGS: Readonly<Record<string, string>> = {
  AGENT_INTERVALS_HEALTH_CHECK_MS: "300",
  AGENT_INTERVALS_BALANCE_POLL_MS: "500",
  AGENT_INTERVALS_CHAIN_POLL_MS: "100",
  AGENT_INTERVALS_BASE_BACKOFF_MS: "50",
  AGENT_INTERVALS_MAX_BACKOFF_MS: "500",
  AGENT_INTERVALS_STEP_RETRIES: "3",
  AGENT_TIMEOUTS_LEASE_CONFIRM_MS: "10000",
  AGENT_TIMEOUTS_SERVICES_READY_MS: "15000",
  AGENT_TIMEOUTS_MINT_SETTLE_MS: "15000",
  AGENT_TIMEOUTS_SLOW_PROVIDER_MS: String(SLOW_PROVIDER_MS),
  AGENT_TIMEOUTS_TREASURY_REQUEST_MS: "5000",
  AGENT_TIMEOUTS_SHUTDOWN_MS: "30000",
  AGENT_BIDDING_MIN_BIDS: "2",
  AGENT_BIDDING_WINDOW_MS: "2000",
  AGENT_THRESHOLDS_DEGRADED_AFTER_FAILURES: "2",
  // A deploy (15 ACT) plus a top-up or a second deployment is over the default 25 USD a day.
  AGENT_BUDGET_DAILY_SPEND_CAP_USD: "1000",
  // The devnet's short blocks make a day of leasing cost a lot of blocks; wallet warnings are noise here.
  AGENT_THRESHOLDS_WALLET_RUNWAY_DAYS: "0.001",
  // The first deposit is ~20–27 h of runway at 100 ms blocks: no top-up unless a flow asks for one.
  AGENT_ESCROW_TOP_UP_BELOW_HOURS: "1",
  // The runway figures above are for the seed's three services (the price the providers bid for them).
  AGENT_AGENT_SDL_PROFILE: "nostream",
};

const none: Record<MessageKind, number> = {
  mint: 0,
  createDeployment: 0,
  closeDeployment: 0,
  createLease: 0,
  closeLease: 0,
  deposit: 0,
  startGroup: 0,
};

const DEPLOY_TXS: readonly FlowTx[] = [
  { label: "MsgMintACT", intentKind: "mint_act" },
  { label: "MsgCreateDeployment", intentKind: "create_deployment" },
  { label: "MsgCreateLease", intentKind: "create_lease" },
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Restarts with `--until` and waits for its exit: reached when it exits 0 in the target state. */
async function resumeUntil(
  start: (command: RunCommand) => AgentProcess,
  command: RunCommand,
): Promise<ResumeOutcome> {
  const agent = start(command);
  const exit = await agent.exitWithin(PHASE_TIMEOUT_MS);
  const printed = parseView(exit.stdout);
  const wanted = command.until ?? "";
  const reached = exit.code === 0 && printed !== null && isInState(printed, wanted);
  const reason = exit.code === 0 ? "" : agent.failureReason();
  const detail = exit.timedOut
    ? `${wanted}: no exit within ${PHASE_TIMEOUT_MS} ms (last state ${agent.leaseStates().at(-1) ?? "none"})`
    : `${wanted}: exit ${exit.signal ?? exit.code}${printed ? `, lease ${printed}` : ""}${reason ? ` (${reason})` : ""}`;
  return { agent, reached, detail, notes: [] };
}

function parseView(stdout: string): string | null {
  const line = stdout.trim().split("\n").at(-1);
  if (!line) return null;
  try {
    const view = JSON.parse(line) as { state?: unknown };
    return typeof view.state === "string" ? view.state : null;
  } catch {
    return null;
  }
}

/**
 * Restarts without `--until` (a maintenance flow has no state of its own to stop at) and waits until
 * the lease is active and the chain shows the move off the faulted provider done (one deployment, one
 * lease, on the same deployment or a new one); then stops it with SIGINT, which must exit 0.
 */
async function resumeUntilMoved(
  start: (command: RunCommand) => AgentProcess,
  context: RowContext,
  sameDeployment: boolean,
): Promise<ResumeOutcome> {
  const moved = (footprint: OwnerFootprint) =>
    footprint.activeDeployments.length === 1 &&
    footprint.activeLeases.length === 1 &&
    movedOff(footprint, context.facts, sameDeployment).length === 0;
  const agent = start({});
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  let done = false;
  while (agent.running && Date.now() < deadline) {
    const last = agent.leaseStates().at(-1);
    if (
      last !== undefined &&
      isInState(last, "active") &&
      moved(await context.reader.footprint(context.owner))
    ) {
      done = true;
      break;
    }
    await sleep(250);
  }
  if (!done) {
    const exit = await agent.exitWithin(1);
    return {
      agent,
      reached: false,
      detail: `moved and active: ${agent.running ? "not within the time limit" : `exited ${exit.signal ?? exit.code} first`} (last state ${agent.leaseStates().at(-1) ?? "none"})${agent.failureReason() ? `: ${agent.failureReason()}` : ""}`,
      notes: [],
    };
  }
  agent.signal("SIGINT");
  const exit = await agent.exitWithin(PHASE_TIMEOUT_MS);
  // Ctrl-C says what it leaves behind and when the agent is down.
  const said = (start: string) => agent.lines.some((line) => line.msg?.startsWith(start) === true);
  const explained = said("interrupted: stopping (the lease stays open") && said("agent stopped");
  return {
    agent,
    reached: exit.code === 0 && explained,
    detail: `moved and active, then SIGINT: exit ${exit.signal ?? exit.code}${explained ? "" : ", without saying what stays and that it stopped"}`,
    notes: [],
  };
}

/** Waits for the lease to be active, notes its provider and dseq, and applies `fault` to that provider. */
async function faultOnceActive(
  agent: AgentProcess,
  context: RowContext,
  fault: (provider: string) => Promise<void> | void,
): Promise<void> {
  await agent.waitForLeaseState("active", PHASE_TIMEOUT_MS);
  const { activeLeases } = await context.reader.footprint(context.owner);
  const lease = activeLeases[0];
  if (activeLeases.length !== 1 || !lease) {
    throw new Error(`expected one active lease before the fault, the chain has ${activeLeases.length}`);
  }
  context.facts.faultedProvider = lease.provider;
  context.facts.firstDseq = lease.dseq;
  await fault(lease.provider);
}

function movedOff(footprint: OwnerFootprint, facts: RowFacts, sameDeployment: boolean): string[] {
  const problems: string[] = [];
  const lease = footprint.activeLeases[0];
  if (lease && lease.provider === facts.faultedProvider) {
    problems.push(`the lease is still on the faulted provider ${facts.faultedProvider}`);
  }
  const dseq = footprint.activeDeployments[0];
  if (dseq !== undefined && sameDeployment && dseq !== facts.firstDseq) {
    problems.push(`close-and-rebid should keep deployment ${facts.firstDseq}, the open one is ${dseq}`);
  }
  if (dseq !== undefined && !sameDeployment && dseq === facts.firstDseq) {
    problems.push(`make-before-break should leave deployment ${facts.firstDseq} for a new one`);
  }
  return problems;
}

const deploy: CrashFlow = {
  name: "deploy",
  settings: {},
  command: { until: "active" },
  txs: DEPLOY_TXS,
  drive: async () => {},
  resume: (start) => resumeUntil(start, { until: "active" }),
  expected: { messages: { ...none, mint: 1, createDeployment: 1, createLease: 1 }, activeDeployments: 1 },
  cleanup: async () => {},
};

const renew: CrashFlow = {
  name: "renew",
  // Above the first deposit's runway (≤ ~27 h here) so a top-up starts right after activation, and
  // below the 72 h a top-up brings it to, so there is exactly one.
  settings: { AGENT_ESCROW_TOP_UP_BELOW_HOURS: "60" },
  command: { until: "active.monitoring" },
  txs: [
    ...DEPLOY_TXS,
    { label: "MsgMintACT (top-up)", intentKind: "mint_act" },
    { label: "MsgAccountDeposit", intentKind: "escrow_deposit" },
  ],
  drive: async () => {},
  resume: (start) => resumeUntil(start, { until: "active.monitoring" }),
  expected: {
    messages: { ...none, mint: 2, createDeployment: 1, createLease: 1, deposit: 1 },
    activeDeployments: 1,
  },
  cleanup: async () => {},
};

const migrateDegraded: CrashFlow = {
  name: "migrate-degraded",
  settings: {},
  command: {},
  txs: [
    ...DEPLOY_TXS,
    { label: "MsgMintACT (new deployment)", intentKind: "mint_act" },
    { label: "MsgCreateDeployment (new)", intentKind: "create_deployment" },
    { label: "MsgCreateLease (new)", intentKind: "create_lease" },
    { label: "MsgCloseDeployment (drain old)", intentKind: "close_deployment" },
  ],
  drive: (agent, context) =>
    faultOnceActive(agent, context, (provider) =>
      context.devnet.degradeProvider(provider, { mode: "slow", delayMs: DEGRADED_DELAY_MS }),
    ),
  resume: (start, context) => resumeUntilMoved(start, context, false),
  expected: {
    messages: { ...none, mint: 2, createDeployment: 2, createLease: 2, closeDeployment: 1 },
    activeDeployments: 1,
    check: (footprint, facts) => movedOff(footprint, facts, false),
  },
  cleanup: async (context) => {
    if (context.facts.faultedProvider)
      context.devnet.degradeProvider(context.facts.faultedProvider, { mode: "healthy" });
  },
};

const migrateOffline: CrashFlow = {
  name: "migrate-offline",
  settings: {},
  command: {},
  txs: [
    ...DEPLOY_TXS,
    { label: "MsgCloseLease (offline provider)", intentKind: "close_lease" },
    { label: "MsgCreateLease (rebid)", intentKind: "create_lease" },
  ],
  drive: (agent, context) =>
    faultOnceActive(agent, context, (provider) => context.devnet.setProviderOnline(provider, false)),
  resume: (start, context) => resumeUntilMoved(start, context, true),
  expected: {
    messages: { ...none, mint: 1, createDeployment: 1, createLease: 2, closeLease: 1 },
    activeDeployments: 1,
    check: (footprint, facts) => movedOff(footprint, facts, true),
  },
  cleanup: async (context) => {
    if (context.facts.faultedProvider)
      await context.devnet.setProviderOnline(context.facts.faultedProvider, true);
  },
};

/**
 * The provider closes the lease (its MsgCloseBid pauses the group, as on Akash): the agent starts the
 * group again (MsgStartGroup, the next order) and leases on it, same deployment.
 */
const migrateProviderClosed: CrashFlow = {
  name: "migrate-provider-closed",
  settings: {},
  command: {},
  txs: [
    ...DEPLOY_TXS,
    { label: "MsgStartGroup (paused group)", intentKind: "start_group" },
    { label: "MsgCreateLease (rebid)", intentKind: "create_lease" },
  ],
  drive: (agent, context) =>
    faultOnceActive(agent, context, (provider) =>
      context.devnet.closeLease({ owner: context.owner, dseq: context.facts.firstDseq!, provider }),
    ),
  resume: (start, context) => resumeUntilMoved(start, context, true),
  expected: {
    messages: { ...none, mint: 1, createDeployment: 1, createLease: 2, startGroup: 1 },
    activeDeployments: 1,
    check: (footprint, facts) => movedOff(footprint, facts, true),
  },
  cleanup: async () => {},
};

const terminate: CrashFlow = {
  name: "terminate",
  settings: {},
  command: { terminateOnExit: true },
  txs: [...DEPLOY_TXS, { label: "MsgCloseDeployment (terminate)", intentKind: "close_deployment" }],
  drive: async (agent) => {
    await agent.waitForLeaseState("active", PHASE_TIMEOUT_MS);
    agent.signal("SIGINT");
  },
  // The state kill waits until the database holds `terminating` (see crash-rows.ts): a kill before
  // that write would lose the SIGINT's shutdown request with the process.
  resume: (start) => resumeUntil(start, { until: "terminated" }),
  expected: {
    messages: { ...none, mint: 1, createDeployment: 1, createLease: 1, closeDeployment: 1 },
    activeDeployments: 0,
  },
  cleanup: async () => {},
};

/** Deploys and keeps watching (no `--until`): phase 1 runs health checks until the row kills it. */
const watch: CrashFlow = {
  ...deploy,
  name: "watch",
  command: {},
  resume: (start) => resumeUntil(start, { until: "active.monitoring" }),
};

/** The renew flow's top-up, then health checks without `--until` until the row kills it. */
const renewWatch: CrashFlow = {
  ...renew,
  name: "renew-watch",
  command: {},
};

export const CRASH_FLOWS: Readonly<Record<FlowName, CrashFlow>> = {
  deploy,
  renew,
  "migrate-degraded": migrateDegraded,
  "migrate-offline": migrateOffline,
  "migrate-provider-closed": migrateProviderClosed,
  terminate,
  watch,
  "renew-watch": renewWatch,
};
