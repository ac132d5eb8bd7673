import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Actor, createActor, type InspectionEvent, SimulatedClock } from "xstate";
import { AGENT_MACHINE_VERSION, type AgentMachine } from "../src/machines/index.js";
import { agentPersistedForm, agentWriteBarriers } from "../src/runtime/persistence-policy.js";
import {
  type AgentStore,
  type CommitGroup,
  createCommitGroup,
  createSnapshotPersister,
  openAgentStore,
  type SnapshotPersister,
  type SynchronousMode,
} from "../src/services/store/index.js";
import { benchSettings, HEALTH_INTERVAL_MS, instantAgentMachine } from "./instant-agent.js";

/**
 * How the agents' snapshots are kept: not at all, in one database shared by every agent (each
 * agent its own `machineId` in the snapshots table), or in one database per agent (as one agent
 * per process would have it).
 */
export type Storage =
  | { kind: "memory" }
  | { kind: "shared-db"; synchronous: SynchronousMode; writes: WriteMode }
  | { kind: "db-per-agent"; synchronous: SynchronousMode; writes: WriteMode };

/**
 * `barriers`: as the agent runs now (DESIGN §17): written when an effect starts, readings blanked, and
 * in a shared DB one transaction per tick for every agent that reached a barrier (group commit).
 * `every-step`: every settled step of every agent in its own transaction (the former way).
 */
export type WriteMode = "barriers" | "every-step";

export interface Scenario {
  agents: number;
  /** Health intervals the clock moves through (one health check per agent each, a top-up every other). */
  cycles: number;
  storage: Storage;
}

export interface Figures {
  scenario: Scenario;
  /** Transitions taken by every machine actor of every agent (XState microsteps). */
  transitions: number;
  wallMs: number;
  /** CPU time of this process (user + system) over the same span: less swayed by other work on the machine. */
  cpuMs: number;
  snapshotWrites: number;
  /** Write transactions (one per write without group commit). */
  transactions: number;
  /** Size of the last snapshot written, in bytes. */
  snapshotBytes: number;
}

const T0 = Date.UTC(2026, 10, 23, 0);

/** Lets every pending microtask (actor steps, promise actors, the persister's writes) run until nothing moves. */
async function quiesce(progress: () => number): Promise<void> {
  for (;;) {
    const before = progress();
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (progress() === before) return;
  }
}

interface Agent {
  actor: Actor<AgentMachine>;
  persister: SnapshotPersister | null;
}

function openStores(storage: Storage, agents: number, dir: string): (index: number) => AgentStore | null {
  if (storage.kind === "memory") return () => null;
  if (storage.kind === "shared-db") {
    const store = openAgentStore({ dataDir: dir, synchronous: storage.synchronous });
    return () => store;
  }
  const stores = Array.from({ length: agents }, (_, index) =>
    openAgentStore({ dataDir: join(dir, `agent-${index}`), synchronous: storage.synchronous }),
  );
  return (index) => stores[index] ?? null;
}

/**
 * Boots `agents` agents (real agent machine and children, instant effects) to a served, healthy
 * lease, then times `cycles` health intervals: each moves the shared simulated clock, and every
 * agent checks its health, and every other cycle tops up its escrow through its treasury.
 */
export async function runScenario(scenario: Scenario): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "agent-bench-"));
  const clock = new SimulatedClock();
  clock.set(T0);
  const machine = instantAgentMachine(clock);
  const storeOf = openStores(scenario.storage, scenario.agents, dir);
  const { storage } = scenario;
  const atBarriers = storage.kind !== "memory" && storage.writes === "barriers";
  const sharedStore = storage.kind === "shared-db" ? storeOf(0) : null;
  const group: CommitGroup | null =
    atBarriers && sharedStore && scenario.agents > 1 ? createCommitGroup(sharedStore) : null;
  let transitions = 0;
  const agents: Agent[] = [];
  try {
    for (let index = 0; index < scenario.agents; index += 1) {
      const store = storeOf(index);
      const persister = store
        ? createSnapshotPersister({
            store,
            machineId: `agent-${index}`,
            machineVersion: AGENT_MACHINE_VERSION,
            // As in production (NODE_ENV=production): no per-write check that the snapshot is plain JSON.
            checkJson: false,
            ...(atBarriers ? { barriers: agentWriteBarriers, persistedForm: agentPersistedForm } : {}),
            ...(group ? { commitGroup: group } : {}),
          })
        : null;
      const actor = createActor(machine, {
        input: { settings: benchSettings },
        clock,
        inspect: (event: InspectionEvent) => {
          if (event.type === "@xstate.microstep") transitions += 1;
          persister?.inspect(event);
        },
      });
      persister?.attach(actor);
      actor.start();
      agents.push({ actor, persister });
    }
    const writes = () => agents.reduce((sum, agent) => sum + (agent.persister?.writes ?? 0), 0);
    await quiesce(() => transitions);
    // One cycle before timing, so every agent is in its steady loop (lease monitored, health waiting).
    clock.increment(HEALTH_INTERVAL_MS);
    await quiesce(() => transitions);

    const startTransitions = transitions;
    const startWrites = writes();
    const startCommits = group?.commits ?? 0;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let cycle = 0; cycle < scenario.cycles; cycle += 1) {
      clock.increment(HEALTH_INTERVAL_MS);
      await quiesce(() => transitions);
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuMs = (cpu.user + cpu.system) / 1000;

    for (const agent of agents) {
      const lease = agent.actor.system.get("lease")?.getSnapshot();
      if (!lease?.matches({ active: "monitoring" })) {
        throw new Error(
          `an agent ended the bench outside active.monitoring: ${JSON.stringify(lease?.value)}`,
        );
      }
    }
    const store = storeOf(0);
    return {
      scenario,
      transitions: transitions - startTransitions,
      wallMs,
      cpuMs,
      snapshotWrites: writes() - startWrites,
      transactions: group ? group.commits - startCommits : writes() - startWrites,
      snapshotBytes: store?.snapshots.latest("agent-0")?.snapshotJson.length ?? 0,
    };
  } finally {
    for (const agent of agents) {
      agent.persister?.flush();
      agent.actor.stop();
    }
    const closed = new Set<AgentStore>();
    for (let index = 0; index < scenario.agents; index += 1) {
      const store = storeOf(index);
      if (store && !closed.has(store)) {
        store.close();
        closed.add(store);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
