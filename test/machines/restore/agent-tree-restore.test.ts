import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Actor, createActor, SimulatedClock } from "xstate";
import {
  AGENT_CHILDREN,
  AGENT_MACHINE_VERSION,
  AGENT_SNAPSHOT_UPGRADES,
  type AgentMachine,
} from "../../../src/machines/index.js";
import type { WaitUntilInput } from "../../../src/machines/shared/index.js";
import {
  type AgentStore,
  createSnapshotPersister,
  openAgentStore,
  restoreLatestSnapshot,
  type SnapshotPersister,
  UnknownSnapshotVersionError,
} from "../../../src/services/store/index.js";
import { agentTree, type TreeWorld, treeSettings } from "../../support/agent-tree.js";
import { RecordedActors, settled } from "../../support/recorded-actors.js";
import { effectNames, successfulOutput } from "../../support/successful-effects.js";

const T0 = Date.UTC(2026, 10, 23, 12);

const dirs: string[] = [];
const opened: TreeRun[] = [];
afterEach(() => {
  for (const run of opened.splice(0)) {
    run.actor.stop();
    run.store?.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agent-tree-"));
  dirs.push(dir);
  return dir;
}

interface TreeRun {
  actor: Actor<AgentMachine>;
  world: TreeWorld;
  store: AgentStore | null;
  persister: SnapshotPersister | null;
  errors: unknown[];
}

function newWorld(): TreeWorld {
  const clock = new SimulatedClock();
  clock.set(T0);
  return { recorded: new RecordedActors(), clock, alerts: [] };
}

/**
 * Starts the agent as the host does: open the store, restore the latest snapshot if there is one,
 * persist every step. Without a data folder, runs in memory only.
 */
function boot(dir: string | null, machineVersion = AGENT_MACHINE_VERSION): TreeRun {
  const world = newWorld();
  const errors: unknown[] = [];
  const store = dir ? openAgentStore({ dataDir: dir }) : null;
  let persister: SnapshotPersister | null = null;
  let restored: ReturnType<typeof restoreLatestSnapshot>;
  try {
    persister = store
      ? createSnapshotPersister({
          store,
          machineId: "agent",
          machineVersion,
          onError: (error) => errors.push(error),
        })
      : null;
    restored = store
      ? restoreLatestSnapshot(store.snapshots, "agent", {
          current: AGENT_MACHINE_VERSION,
          upgrades: AGENT_SNAPSHOT_UPGRADES,
        })
      : undefined;
  } catch (error) {
    store?.close();
    throw error;
  }
  const actor = createActor(agentTree(world), {
    input: { settings: treeSettings },
    clock: world.clock,
    ...(restored ? { snapshot: restored.snapshot as never } : {}),
    ...(persister ? { inspect: persister.inspect } : {}),
  });
  persister?.attach(actor);
  actor.subscribe({ error: (error) => errors.push(error) });
  actor.start();
  const run = { actor, world, store, persister, errors };
  opened.push(run);
  return run;
}

/**
 * Runs an agent until quiet, then stores its latest snapshot again as `version`, with the lease's
 * context changed by `downgrade` to how that version wrote it. Returns the data dir.
 */
async function storeOlderLeaseSnapshot(
  version: string,
  downgrade: (lease: Record<string, unknown>) => void,
): Promise<string> {
  const dir = dataDir();
  const old = boot(dir);
  await settled();
  await runUntilQuiet(old);
  exit(old);
  const store = openAgentStore({ dataDir: dir });
  try {
    const latest = storedSnapshotIn(store);
    downgrade(
      (latest as { children: { lease: { snapshot: { context: Record<string, unknown> } } } }).children.lease
        .snapshot.context,
    );
    store.snapshots.append({
      machineId: "agent",
      machineVersion: version,
      snapshotJson: JSON.stringify(latest),
    });
  } finally {
    store.close();
  }
  return dir;
}

/** Flushes the last step, stops the actor and closes the store: a clean process exit. */
function exit(run: TreeRun): void {
  run.persister?.flush();
  run.actor.stop();
  run.store?.close();
  opened.splice(opened.indexOf(run), 1);
}

/**
 * Settles the newest running effect with its successful result, the newest of `first` if any runs;
 * false when nothing runs.
 */
async function step(run: TreeRun, first: readonly string[] = []): Promise<boolean> {
  const running = run.world.recorded.running(true);
  const next = running.filter((invocation) => first.includes(invocation.src)).at(-1) ?? running.at(-1);
  if (!next) return false;
  run.world.recorded.settle(next, { done: successfulOutput(next.src, next.input, run.world.clock.now()) });
  await settled();
  return true;
}

async function runUntil(run: TreeRun, reached: () => boolean, first: readonly string[]): Promise<void> {
  for (let steps = 0; !reached(); steps += 1) {
    if (steps > 500 || !(await step(run, first)))
      throw new Error("the tree stopped before reaching the state");
  }
}

async function runUntilQuiet(run: TreeRun): Promise<void> {
  for (let steps = 0; await step(run); steps += 1) {
    if (steps > 500) throw new Error("the tree did not quieten");
  }
}

const child = (run: TreeRun, id: (typeof AGENT_CHILDREN)[number]) => {
  const ref = run.actor.system.get(id);
  if (!ref) throw new Error(`no ${id} actor in the system`);
  return ref;
};

/** Every actor of the tree as plain data: the root and each child's status, state and context. */
function treeView(run: TreeRun): unknown {
  const root = run.actor.getSnapshot();
  const children = Object.fromEntries(
    AGENT_CHILDREN.map((id) => {
      const snapshot = child(run, id).getSnapshot();
      return [id, { status: snapshot.status, value: snapshot.value, context: snapshot.context }];
    }),
  );
  return JSON.parse(JSON.stringify({ root: { value: root.value, context: root.context }, children }));
}

const inFlight = (run: TreeRun) =>
  run.world.recorded
    .running()
    .map((invocation) => `${invocation.src} ${JSON.stringify(invocation.input)}`)
    .sort();

const deadlines = (run: TreeRun) =>
  run.world.recorded
    .running()
    .filter((invocation) => invocation.src === "waitUntil")
    .map((invocation) => (invocation.input as WaitUntilInput).until)
    .sort((a, b) => a - b);

function storedSnapshotIn(store: AgentStore): unknown {
  const row = store.snapshots.latest("agent");
  if (!row) throw new Error("no agent snapshot in the store");
  return JSON.parse(row.snapshotJson);
}

function storedSnapshot(run: TreeRun): unknown {
  if (!run.store) throw new Error("this run has no store");
  return storedSnapshotIn(run.store);
}

describe("agent tree: persisted in SQLite, restored after a restart", () => {
  it("brings back every child in the same state, re-runs what was in flight and carries on to the same outcome", async () => {
    const reference = boot(null);
    await settled();
    await runUntilQuiet(reference);
    const outcome = treeView(reference);

    const dir = dataDir();
    const first = boot(dir);
    await settled();
    const publishing = { requesting_bids: { publishing: "working" } } as const;
    // The agent boots and the lease gets its deposit first, while the other children's first effects still run.
    await runUntil(first, () => first.actor.system.get("lease")?.getSnapshot().matches(publishing) === true, [
      ...effectNames.agent,
      ...effectNames.lease,
      "ensureAct",
    ]);
    first.persister?.flush();
    expect(storedSnapshot(first)).toEqual(JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot())));
    const midFlight = treeView(first);
    const midFlightEffects = inFlight(first);
    expect(midFlightEffects.map((effect) => effect.split(" ")[0])).toEqual(
      expect.arrayContaining(["createDeployment", "evaluateReproduction", "readBalances", "waitUntil"]),
    );
    exit(first);

    const second = boot(dir);
    await settled();
    expect(treeView(second)).toEqual(midFlight);
    expect(child(second, "lease").getSnapshot().value).toEqual({
      requesting_bids: { publishing: "working" },
    });
    expect(child(second, "treasury").getSnapshot().value).toEqual({
      watching: "reading",
      serving: "idle",
      swapping: "idle",
    });
    // Every effect that was running runs again with exactly its input (idempotency keys included).
    expect(inFlight(second)).toEqual(midFlightEffects);
    await runUntilQuiet(second);
    expect(child(second, "lease").getSnapshot().value).toEqual({ active: "monitoring" });
    expect(child(second, "health").getSnapshot().value).toBe("waiting");
    expect(treeView(second)).toEqual(outcome);
    const quiet = treeView(second);
    const quietDeadlines = deadlines(second);
    exit(second);

    const third = boot(dir);
    await settled();
    expect(treeView(third)).toEqual(quiet);
    expect(deadlines(third)).toEqual(quietDeadlines);
    // It carries on: the health check due at nextCheckAt runs when the clock gets there.
    const health = child(third, "health").getSnapshot();
    const nextCheckAt = (health.context as { nextCheckAt: number }).nextCheckAt;
    third.world.clock.set(nextCheckAt);
    await settled();
    expect(third.world.recorded.running(true).map((invocation) => invocation.src)).toContain("checkHealth");
    for (const run of [reference, first, second, third]) expect(run.errors).toEqual([]);
  });

  it("restores a version 1 snapshot (no escrowToppedUpAt in the lease) and acts on the next low escrow", async () => {
    const dir = await storeOlderLeaseSnapshot("1", (lease) => {
      expect(lease).toHaveProperty("escrowToppedUpAt", null);
      delete lease.escrowToppedUpAt;
    });

    const resumed = boot(dir);
    await settled();
    const lease = child(resumed, "lease");
    expect(lease.getSnapshot().value).toEqual({ active: "monitoring" });
    resumed.actor.send({ type: "LEASE.ESCROW_LOW", runwayHours: 0.5, observedAt: resumed.world.clock.now() });
    await settled();
    expect(lease.getSnapshot().value).toEqual({ active: "renewing" });
    expect(resumed.errors).toEqual([]);
  });

  it("restores a version 3 snapshot (the lease's own recoveryReason) and asks the policy on the next failure", async () => {
    const dir = await storeOlderLeaseSnapshot("3", (lease) => {
      expect(lease).toHaveProperty("failure", null);
      delete lease.failure;
      delete lease.restartsMade;
      delete lease.emergencySwapsTried;
      lease.recoveryReason = null;
    });

    const resumed = boot(dir);
    await settled();
    const lease = child(resumed, "lease");
    expect(lease.getSnapshot().value).toEqual({ active: "monitoring" });
    expect(lease.getSnapshot().context).not.toHaveProperty("recoveryReason");
    resumed.actor.send({ type: "HEALTH.SERVICES_FAILED", reason: "0 of 1 ready" });
    await settled();
    expect(lease.getSnapshot().value).toEqual({ recovery: { restarting: "resending" } });
    expect(lease.getSnapshot().context).toMatchObject({
      failure: { type: "services_failed" },
      restartsMade: 1,
    });
    expect(resumed.errors).toEqual([]);
  });

  it("upgrades a version 3 lease caught releasing a failed attempt into that attempt's failure", () => {
    const upgraded = AGENT_SNAPSHOT_UPGRADES["3"]!({
      children: {
        lease: {
          snapshot: {
            value: { recovery: { releasing: "closing" } },
            context: {
              recoveryReason: "attempt_failed",
              attempt: 2,
              excludedProviders: ["akash1a", "akash1b"],
              failedLease: { dseq: "7", gseq: 1, oseq: 1, provider: "akash1b" },
            },
          },
        },
      },
    });
    expect(upgraded.children.lease.snapshot.context).toEqual({
      attempt: 2,
      excludedProviders: ["akash1a", "akash1b"],
      failedLease: { dseq: "7", gseq: 1, oseq: 1, provider: "akash1b" },
      failure: {
        type: "deployment_failed",
        provider: "akash1b",
        attempt: 2,
        failedProviders: ["akash1a", "akash1b"],
      },
      restartsMade: 0,
      emergencySwapsTried: 0,
    });
  });

  it("refuses a snapshot written by an unknown machine version with the store's clear error", async () => {
    const dir = dataDir();
    const old = boot(dir, "0-prototype");
    await settled();
    await runUntilQuiet(old);
    exit(old);

    expect(() => boot(dir)).toThrow(UnknownSnapshotVersionError);
    const store = openAgentStore({ dataDir: dir });
    try {
      expect(() =>
        restoreLatestSnapshot(store.snapshots, "agent", { current: AGENT_MACHINE_VERSION }),
      ).toThrow(
        `has version "0-prototype", but this build restores only "${AGENT_MACHINE_VERSION}": run an agent build that knows version "0-prototype"`,
      );
    } finally {
      store.close();
    }
  });
});
