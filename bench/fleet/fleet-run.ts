import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { escrowRunwayHours } from "../../src/actors/health-actors.js";
import { createLogger } from "../../src/logging/index.js";
import type { LeaseInput, LeaseSettings } from "../../src/machines/index.js";
import { type AgentHost, createAgentHost } from "../../src/runtime/agent-host.js";
import { fundFromOwnAccount, type LeaseFunder } from "../../src/runtime/hosted-lease-funds.js";
import { isInState } from "../../src/runtime/lease-view.js";
import { type AgentStore, openAgentStore, type SynchronousMode } from "../../src/services/store/index.js";
import { EventClock } from "./event-clock.js";
import { actorSettings, fleetServices, ownerOf } from "./fleet-services.js";
import { eventClockWaits } from "./fleet-waits.js";
import { SimulatedAkash } from "./simulated-akash.js";

export interface FleetScenario {
  agents: number;
  /** Simulated hours driven after every lease is active. */
  hours: number;
  /** Each lease's health check comes this often (simulated), the leases' checks spread over the interval. */
  healthIntervalMs: number;
  /** Persist every lease's steps (one SQLite store), or run them in memory. */
  persist: boolean;
  synchronous: SynchronousMode;
  /** When persisted leases are written: at barriers with group commit (default), or every step. */
  writes?: "barriers" | "every-step";
}

export interface FleetFigures {
  scenario: FleetScenario;
  bootWallMs: number;
  dayWallMs: number;
  /** Microsteps of every lease actor during the simulated day. */
  transitions: number;
  snapshotWrites: number;
  skippedIdentical: number;
  /** Write transactions: group commits at barriers, one per write every step. */
  transactions: number;
  healthChecks: number;
  topUps: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Heap held after boot (after a GC) per lease actor, with its share of the simulated chain. */
  heapPerActorBytes: number;
  /** Leases serving (active.*) at the end of the day. */
  activeAtEnd: number;
}

const T0 = Date.UTC(2026, 10, 23, 0);
const STEP_MS = 1_000;
/** Top up below 3 h of runway, back to 6 h: at 100–300 uact a block that is several top-ups a day per lease. */
const TOP_UP_BELOW_HOURS = 3;

export const fleetLeaseSettings: LeaseSettings = {
  minBids: 1,
  bidWindowMs: 30_000,
  maxAttempts: 3,
  retry: { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  initialDepositUact: "500000",
  topUpToHours: 6,
  blockSeconds: actorSettings.blockSeconds,
  requestTimeoutMs: 120_000,
};

export const fleetLeaseInput = (agentId: string): LeaseInput => ({
  agentId,
  resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
  settings: fleetLeaseSettings,
});

const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Yields until every lease is in `state`, or throws once `rounds` yields passed without it. */
async function settleAll(host: AgentHost, ids: string[], state: string, rounds = 10_000): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    if (ids.every((id) => isInState(host.view(id)?.state ?? "", state))) return;
    await yieldToLoop();
  }
  const stuck = ids.find((id) => !isInState(host.view(id)?.state ?? "", state));
  throw new Error(`lease ${stuck} did not reach ${state}: it is in ${host.view(stuck ?? "")?.state}`);
}

export interface FleetWorld {
  clock: EventClock;
  store: AgentStore;
  sim: SimulatedAkash;
  host: AgentHost;
  ids: string[];
  topUps(): number;
  close(): void;
}

/** A simulated chain, one store in `dataDir`, and a host for `agents` leases over them (not started). */
export async function openFleetWorld(options: {
  agents: number;
  persist: boolean;
  synchronous: SynchronousMode;
  writes?: "barriers" | "every-step";
  dataDir: string;
  clock?: EventClock;
  sim?: SimulatedAkash;
  onTransition?: () => void;
  /** Wraps the funder (each agent paying from its own account), e.g. to hold or fail requests. */
  wrapFund?: (pay: LeaseFunder) => LeaseFunder;
}): Promise<FleetWorld> {
  const clock = options.clock ?? new EventClock(T0);
  const now = () => clock.now();
  const sim =
    options.sim ??
    new SimulatedAkash({
      now,
      blockSeconds: actorSettings.blockSeconds,
      providers: 5,
      bidPriceUact: { min: 100, max: 300 },
    });
  const store = openAgentStore({ dataDir: options.dataDir, synchronous: options.synchronous, clock: now });
  const logger = createLogger({ level: "silent" });
  const servicesOf = await fleetServices({ sim, store, logger, now });
  let topUps = 0;
  const payOwn = fundFromOwnAccount(servicesOf, { feeReserveUakt: "1000000" });
  const pay = options.wrapFund ? options.wrapFund(payOwn) : payOwn;
  const fund: LeaseFunder = async (agentId, request, signal) => {
    const answer = await pay(agentId, request, signal);
    if (request.purpose === "escrow_top_up" && answer.type === "TREASURY.REQUEST_GRANTED") topUps += 1;
    return answer;
  };
  const onTransition = options.onTransition;
  const host = createAgentHost({
    store,
    servicesOf,
    fund,
    now,
    waits: eventClockWaits(clock),
    clock,
    persist: options.persist,
    ...(options.writes ? { writes: options.writes } : {}),
    // As in production (NODE_ENV=production): no per-write check that each snapshot is plain JSON.
    checkJson: false,
    ...(onTransition
      ? { inspect: (_agentId, event) => (event.type === "@xstate.microstep" ? onTransition() : undefined) }
      : {}),
    logger,
  });
  const ids = Array.from({ length: options.agents }, (_, index) => `agent-${index}`);
  return {
    clock,
    store,
    sim,
    host,
    ids,
    topUps: () => topUps,
    close() {
      host.stop();
      store.close();
    },
  };
}

/** Deploys every lease (in batches, so the effects in flight stay bounded) until each is active. */
export async function deployFleet(world: FleetWorld, batch = 500): Promise<void> {
  const { host, ids } = world;
  for (let start = 0; start < ids.length; start += batch) {
    const slice = ids.slice(start, start + batch);
    host.start(slice.map(fleetLeaseInput));
    for (const id of slice) host.send(id, { type: "LEASE.DEPLOY" });
    await settleAll(host, slice, "active");
  }
}

/**
 * One health check of one lease, as the health monitor makes it: the escrow's runway read from the
 * chain, LEASE.ESCROW_LOW under the threshold, HEALTH.PASSED when the lease serves.
 */
export function checkHealth(world: FleetWorld, agentId: string): boolean {
  const view = world.host.view(agentId);
  if (!view || !isInState(view.state, "active") || !view.dseq || !view.provider) return false;
  const escrow = world.sim.escrowOf(ownerOf(agentId), view.dseq);
  if (!escrow) return false;
  const at = world.clock.now();
  const runway = escrowRunwayHours(escrow.balanceUact, escrow.priceUact, actorSettings.blockSeconds);
  if (runway !== null && runway < TOP_UP_BELOW_HOURS) {
    world.host.send(agentId, { type: "LEASE.ESCROW_LOW", runwayHours: runway, observedAt: at });
  }
  world.host.send(agentId, { type: "HEALTH.PASSED", at, escrowRunwayHours: runway });
  return true;
}

/**
 * Boots `agents` leases to active, then drives `hours` of simulated time in 1 s steps: each lease is
 * checked every health interval (the checks spread over it), and tops up its escrow when the check
 * finds it low. After each step the loop yields, so the step's work (effects, writes) runs and the
 * event-loop delay monitor samples: its lag is how long the host blocks the loop for one simulated
 * second's work, which is what it would block in real time.
 */
export async function runFleet(scenario: FleetScenario): Promise<FleetFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), "agent-fleet-"));
  let transitions = 0;
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const world = await openFleetWorld({
    agents: scenario.agents,
    persist: scenario.persist,
    synchronous: scenario.synchronous,
    ...(scenario.writes ? { writes: scenario.writes } : {}),
    dataDir,
    onTransition: () => {
      transitions += 1;
    },
  });
  try {
    const { clock, host, ids } = world;
    const bootStarted = performance.now();
    await deployFleet(world);
    const bootWallMs = performance.now() - bootStarted;
    collectGarbage();
    const heapPerActorBytes = (process.memoryUsage().heapUsed - heapBefore) / scenario.agents;

    let healthChecks = 0;
    const interval = scenario.healthIntervalMs;
    const dayStart = clock.now();
    const dayEnd = dayStart + scenario.hours * 3_600_000;
    ids.forEach((id, index) => {
      const tick = () => {
        if (checkHealth(world, id)) healthChecks += 1;
        clock.setTimeout(tick, interval);
      };
      clock.setTimeout(tick, Math.floor((index * interval) / ids.length) + 1);
    });

    const startTransitions = transitions;
    const startWrites = host.writes();
    const startTopUps = world.topUps();
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    const started = performance.now();
    for (let time = dayStart + STEP_MS; time <= dayEnd; time += STEP_MS) {
      clock.advanceTo(time);
      await yieldToLoop();
    }
    await yieldToLoop();
    const dayWallMs = performance.now() - started;
    lag.disable();
    const writes = host.writes();
    const activeAtEnd = ids.filter((id) => isInState(host.view(id)?.state ?? "", "active")).length;
    return {
      scenario,
      bootWallMs,
      dayWallMs,
      transitions: transitions - startTransitions,
      snapshotWrites: writes.written - startWrites.written,
      skippedIdentical: writes.skippedIdentical - startWrites.skippedIdentical,
      transactions:
        scenario.writes === "every-step"
          ? writes.written - startWrites.written
          : writes.groupCommits - startWrites.groupCommits,
      healthChecks,
      topUps: world.topUps() - startTopUps,
      lagP50Ms: lag.percentile(50) / 1e6,
      lagP99Ms: lag.percentile(99) / 1e6,
      lagMaxMs: lag.max / 1e6,
      heapPerActorBytes,
      activeAtEnd,
    };
  } finally {
    world.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
