import { describe, expect, it } from "vitest";
import { type Actor, type AnyStateMachine, createActor, SimulatedClock, type SnapshotFrom } from "xstate";
import {
  type ChildRecord,
  type HealthReport,
  healthMachine,
  keyRotationMachine,
  reproductionMachine,
  treasuryMachine,
} from "../../../src/machines/index.js";
import type { WaitUntilInput } from "../../../src/machines/shared/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import {
  healthSettings,
  keySettings,
  reproductionSettings,
  treasurySettings,
} from "../../support/machine-fixtures.js";
import { RecordedActors, settled, withActors } from "../../support/recorded-actors.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 23, 12);

interface ClockRun<TMachine extends AnyStateMachine> {
  actor: Actor<TMachine>;
  recorded: RecordedActors;
}

/** A live actor whose effects are scripted and whose waits run on `clock`. */
function startOnClock<TMachine extends AnyStateMachine>(
  machine: TMachine,
  effects: readonly string[],
  clock: SimulatedClock,
  start: { input: unknown } | { snapshot: unknown },
): ClockRun<TMachine> {
  const recorded = new RecordedActors();
  const provided = withActors(machine, { ...recorded.scriptedAll(effects), ...clockWaits(clock, recorded) });
  const actor = createActor(provided, { ...start, clock } as never) as Actor<TMachine>;
  actor.start();
  return { actor, recorded };
}

/** Persists, JSON round-trips and stops: what a crash leaves in the store. */
function crash<TMachine extends AnyStateMachine>(run: ClockRun<TMachine>): unknown {
  const persisted: unknown = JSON.parse(JSON.stringify(run.actor.getPersistedSnapshot()));
  run.actor.stop();
  return persisted;
}

function clockAt(time: number): SimulatedClock {
  const clock = new SimulatedClock();
  clock.set(time);
  return clock;
}

/** The absolute times the running `waitUntil` actors wait for, sorted. */
function deadlines(recorded: RecordedActors): number[] {
  return recorded
    .running()
    .filter((invocation) => invocation.src === "waitUntil")
    .map((invocation) => (invocation.input as WaitUntilInput).until)
    .sort((a, b) => a - b);
}

function settleNext(recorded: RecordedActors, src: string, output: unknown): void {
  const invocation = recorded.running(true).find((running) => running.src === src);
  if (!invocation) throw new Error(`${src} is not running`);
  recorded.settle(invocation, { done: output });
}

const started = (recorded: RecordedActors, src: string) =>
  recorded.invocations.filter((invocation) => invocation.src === src).length;

describe("deadlines survive a restore: the restored actor waits for the same absolute time", () => {
  const target = {
    dseq: "1001",
    gseq: 1,
    oseq: 1,
    provider: "akash1provider",
    hostUri: "https://p:8443",
    uris: ["relay"],
  };
  const healthy = (at: number): HealthReport => ({
    at,
    provider: { reachable: true, responsive: true },
    lease: { state: "active", reclaimDeadline: null, deploymentOpen: true },
    services: { ready: 3, total: 3 },
    usage: { memoryPercent: 40, diskPercent: 40, cpuPercent: 40 },
    escrowRunwayHours: 48,
    walletRunwayDays: 30,
  });
  const settings = { ...healthSettings, intervalMs: 10 * MINUTE };

  async function healthWaiting() {
    const clock = clockAt(T0);
    const run = startOnClock(healthMachine, ["checkHealth"], clock, { input: { settings } });
    run.actor.send({ type: "HEALTH.WATCH", target });
    await settled();
    settleNext(run.recorded, "checkHealth", healthy(T0));
    await settled();
    expect(run.actor.getSnapshot().value).toBe("waiting");
    expect(deadlines(run.recorded)).toEqual([T0 + 10 * MINUTE]);
    return { clock, run };
  }

  it("health: the next check stays due at nextCheckAt, not a full interval after the restart", async () => {
    const { clock, run } = await healthWaiting();
    clock.increment(3 * MINUTE);
    await settled();
    const persisted = crash(run);

    const later = clockAt(T0 + 7 * MINUTE);
    const restored = startOnClock(healthMachine, ["checkHealth"], later, { snapshot: persisted });
    await settled();
    const snapshot = restored.actor.getSnapshot() as SnapshotFrom<typeof healthMachine>;
    expect(snapshot.value).toBe("waiting");
    expect(snapshot.context.nextCheckAt).toBe(T0 + 10 * MINUTE);
    expect(deadlines(restored.recorded)).toEqual([T0 + 10 * MINUTE]);

    later.increment(3 * MINUTE - 1);
    await settled();
    expect(started(restored.recorded, "checkHealth")).toBe(0);
    later.increment(1);
    await settled();
    expect(started(restored.recorded, "checkHealth")).toBe(1);
    expect(restored.actor.getSnapshot().value).toBe("checking");
    restored.actor.stop();
  });

  it("health: a check that fell due while the agent was down runs at once on restore", async () => {
    const { run } = await healthWaiting();
    const persisted = crash(run);
    const restored = startOnClock(healthMachine, ["checkHealth"], clockAt(T0 + 2 * HOUR), {
      snapshot: persisted,
    });
    await settled();
    expect(restored.recorded.invocations.map((invocation) => invocation.src)).toEqual([
      "waitUntil",
      "checkHealth",
    ]);
    expect(restored.actor.getSnapshot().value).toBe("checking");
    restored.actor.stop();
  });

  const keyEffects = ["prepareNextKey", "activateNextKey", "revokeOldKey", "rollbackRotation"];
  const keysInput = {
    agentId: "agent-test",
    settings: keySettings,
    keys: {
      akash: { index: 3, rotatedAt: T0 - 29 * DAY },
      payment: { index: 1, rotatedAt: T0 - 10 * DAY },
      identity: { index: 0, rotatedAt: T0 - 80 * DAY },
      encryption: { index: 2, rotatedAt: T0 - DAY },
    },
  };

  it("keys: the rotation due date (dueAt) and the end of the grace period (graceEndsAt) survive", async () => {
    const clock = clockAt(T0);
    const run = startOnClock(keyRotationMachine, keyEffects, clock, { input: keysInput });
    await settled();
    const dueAt = T0 + DAY; // the akash key: rotated 29 of its 30 days ago
    expect(deadlines(run.recorded)).toEqual([dueAt]);
    clock.increment(HOUR);
    const whileScheduled = crash(run);

    const later = clockAt(T0 + 12 * HOUR);
    const restored = startOnClock(keyRotationMachine, keyEffects, later, { snapshot: whileScheduled });
    await settled();
    const snapshot = () => restored.actor.getSnapshot() as SnapshotFrom<typeof keyRotationMachine>;
    expect(snapshot().context.keys.akash.dueAt).toBe(dueAt);
    expect(deadlines(restored.recorded)).toEqual([dueAt]);
    later.set(dueAt - 1);
    await settled();
    expect(started(restored.recorded, "prepareNextKey")).toBe(0);
    later.set(dueAt);
    await settled();
    expect(restored.recorded.running(true).map((invocation) => invocation.input)).toEqual([
      { key: "agent-test:rotate:akash:4:prepare", name: "akash", fromIndex: 3, toIndex: 4 },
    ]);

    settleNext(restored.recorded, "prepareNextKey", { at: dueAt + 5_000 });
    await settled();
    const graceEndsAt = dueAt + 5_000 + keySettings.graceMs;
    expect(snapshot().context.rotation?.graceEndsAt).toBe(graceEndsAt);
    expect(deadlines(restored.recorded)).toEqual([graceEndsAt]);
    later.increment(6 * HOUR);
    const inGrace = crash(restored);

    const muchLater = clockAt(dueAt + 20 * HOUR);
    const again = startOnClock(keyRotationMachine, keyEffects, muchLater, { snapshot: inGrace });
    await settled();
    expect((again.actor.getSnapshot() as SnapshotFrom<typeof keyRotationMachine>).value).toEqual({
      rotating: "grace",
    });
    expect(deadlines(again.recorded)).toEqual([graceEndsAt]);
    muchLater.set(graceEndsAt - 1);
    await settled();
    expect(started(again.recorded, "activateNextKey")).toBe(0);
    muchLater.set(graceEndsAt);
    await settled();
    expect(again.recorded.running(true).map((invocation) => invocation.input)).toEqual([
      { key: "agent-test:rotate:akash:4:activate", name: "akash", fromIndex: 3, toIndex: 4 },
    ]);
    again.actor.stop();
  });

  const reproductionEffects = [
    "evaluateReproduction",
    "createChildIdentity",
    "deployChild",
    "registerChild",
    "checkHeartbeats",
    "resurrectChild",
    "retireChild",
  ];
  const knownChild: ChildRecord = {
    childId: "agent-child",
    akash: "akash1child",
    npub: "npub1child",
    index: 0,
    role: "replica",
    region: null,
    dseq: "2002",
    provider: "akash1provider",
    generation: 1,
    activatedAt: T0 - DAY,
    lastHeartbeatAt: T0 - MINUTE,
    silent: false,
    lastResurrectionAt: null,
    resurrections: 0,
  };

  it("reproduction: the next evaluation (nextEvaluationAt) and heartbeat check stay due when they were", async () => {
    const clock = clockAt(T0);
    const run = startOnClock(reproductionMachine, reproductionEffects, clock, {
      input: { agentId: "agent-test", settings: reproductionSettings, children: [knownChild] },
    });
    await settled();
    settleNext(run.recorded, "evaluateReproduction", { at: T0, decision: null, reason: "no trigger fired" });
    settleNext(run.recorded, "checkHeartbeats", { at: T0 + 1_000, silent: [] });
    await settled();
    const nextEvaluationAt = T0 + reproductionSettings.evaluateEveryMs;
    const nextHeartbeatCheckAt = T0 + 1_000 + reproductionSettings.heartbeatCheckMs;
    expect(deadlines(run.recorded)).toEqual([nextHeartbeatCheckAt, nextEvaluationAt]);
    clock.increment(30_000);
    const persisted = crash(run);

    const later = clockAt(T0 + 50_000);
    const restored = startOnClock(reproductionMachine, reproductionEffects, later, { snapshot: persisted });
    await settled();
    const context = (restored.actor.getSnapshot() as SnapshotFrom<typeof reproductionMachine>).context;
    expect(context.nextEvaluationAt).toBe(nextEvaluationAt);
    expect(context.nextHeartbeatCheckAt).toBe(nextHeartbeatCheckAt);
    expect(deadlines(restored.recorded)).toEqual([nextHeartbeatCheckAt, nextEvaluationAt]);

    later.set(nextHeartbeatCheckAt);
    await settled();
    expect(started(restored.recorded, "checkHeartbeats")).toBe(1);
    later.set(nextEvaluationAt - 1);
    await settled();
    expect(started(restored.recorded, "evaluateReproduction")).toBe(0);
    later.set(nextEvaluationAt);
    await settled();
    expect(started(restored.recorded, "evaluateReproduction")).toBe(1);
    restored.actor.stop();
  });

  it("treasury: the next balance read stays due at the last read plus the poll interval", async () => {
    const treasuryEffects = ["readBalances", "ensureAct", "topUpEscrow", "fundChild", "swapCroForAkt"];
    const clock = clockAt(T0);
    const run = startOnClock(treasuryMachine, treasuryEffects, clock, {
      input: { agentId: "agent-test", settings: treasurySettings },
    });
    await settled();
    settleNext(run.recorded, "readBalances", {
      uakt: "40000000",
      uact: "3000000",
      pendingMintUact: "0",
      croWei: null,
      at: T0,
    });
    await settled();
    const due = T0 + treasurySettings.pollIntervalMs;
    expect(deadlines(run.recorded)).toEqual([due]);
    const persisted = crash(run);

    const later = clockAt(T0 + 400);
    const restored = startOnClock(treasuryMachine, treasuryEffects, later, { snapshot: persisted });
    await settled();
    expect(deadlines(restored.recorded)).toEqual([due]);
    later.set(due - 1);
    await settled();
    expect(started(restored.recorded, "readBalances")).toBe(0);
    later.set(due);
    await settled();
    expect(started(restored.recorded, "readBalances")).toBe(1);
    restored.actor.stop();
  });
});
