import { describe, expect, it } from "vitest";
import { type AnyActorRef, assign, createActor, fromCallback, SimulatedClock, setup } from "xstate";
import type { AlertNotice } from "../../src/machines/shared/index.js";
import type { ResurrectSiblingInput } from "../../src/machines/sibling-watch/sibling-watch.actors.js";
import type { SiblingWatchContext } from "../../src/machines/sibling-watch/sibling-watch.context.js";
import { siblingWatchMachine } from "../../src/machines/sibling-watch/sibling-watch.machine.js";
import type { PublicRoster } from "../../src/machines/sibling-watch/sibling-watch.types.js";
import { clockWaits } from "../support/clock-waits.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";

const T0 = Date.UTC(2026, 11, 3, 12);
const THRESHOLD = 10_000;
const CHECK = 1_000;
const PARENT = "agent-parent";

const roster: PublicRoster = {
  parent: { agentId: PARENT, akash: "akash1parent", npub: "npub1parent" },
  members: ["A", "B", "C"].map((childId, index) => ({
    index,
    childId,
    akash: `akash1${childId}`,
    npub: `npub1${childId}`,
    bornAt: T0 - 60_000,
    dseq: String(100 + index),
    provider: `akash1provider${childId}`,
  })),
  publishedAt: T0 - 30_000,
};

/** A root that runs the sibling watch as the agent does (by name, with a systemId) and keeps its alerts. */
function hostOf(watch: typeof siblingWatchMachine) {
  return setup({
    types: {
      context: {} as { agentId: string; alerts: AlertNotice[] },
      events: {} as AlertNotice,
      input: {} as { agentId: string },
    },
    actors: { siblingWatch: watch },
  }).createMachine({
    context: ({ input }) => ({ agentId: input.agentId, alerts: [] }),
    invoke: {
      src: "siblingWatch",
      id: "siblingWatch",
      systemId: "siblingWatch",
      input: ({ context }) => ({
        agentId: context.agentId,
        settings: {
          silenceThresholdMs: THRESHOLD,
          heartbeatCheckMs: CHECK,
          relays: ["ws://127.0.0.1:1"],
          parentNpub: "npub1parent",
        },
      }),
    },
    on: {
      "ALERT.RAISED": { actions: assign({ alerts: ({ context, event }) => [...context.alerts, event] }) },
    },
  });
}

interface Run {
  clock: SimulatedClock;
  recorded: RecordedActors;
  actor: ReturnType<typeof createActor<ReturnType<typeof hostOf>>>;
  watch(): AnyActorRef;
  context(): SiblingWatchContext;
  resurrections(): ResurrectSiblingInput[];
  /** Moves the clock check by check; `beating` members (and the parent) beat at each step. */
  advance(ms: number, beating?: readonly string[]): Promise<void>;
}

function start(agentId: string, from?: { snapshot: unknown; clock: SimulatedClock }): Run {
  const clock = from?.clock ?? new SimulatedClock();
  if (!from) clock.set(T0);
  const recorded = new RecordedActors();
  // This run's start of watching: a restore is a new process that listens anew.
  const watchingSince = clock.now();
  const watch = withActors(siblingWatchMachine, {
    followRoster: fromCallback(() => () => {}),
    watchMemberHeartbeats: fromCallback(() => () => {}),
    checkSiblings: recorded.automatic("checkSiblings", async () => ({ at: clock.now(), watchingSince })),
    resurrectSibling: recorded.scripted("resurrectSibling"),
    ...clockWaits(clock, recorded),
  });
  const actor = createActor(hostOf(watch), {
    input: { agentId },
    clock,
    ...(from ? { snapshot: from.snapshot as never } : {}),
  });
  actor.start();
  const run: Run = {
    clock,
    recorded,
    actor,
    watch: () => actor.system.get("siblingWatch") as AnyActorRef,
    context: () => run.watch().getSnapshot().context as SiblingWatchContext,
    resurrections: () =>
      recorded.invocations
        .filter((invocation) => invocation.src === "resurrectSibling")
        .map((invocation) => invocation.input as ResurrectSiblingInput),
    async advance(ms, beating = []) {
      for (let step = 0; step < ms; step += CHECK) {
        for (const id of beating) run.watch().send({ type: "CHILD.HEARTBEAT", childId: id, at: clock.now() });
        clock.increment(CHECK);
        await settled();
        await settled();
      }
    },
  };
  return run;
}

async function withRoster(agentId: string): Promise<Run> {
  const run = start(agentId);
  run.watch().send({ type: "SIBLINGS.ROSTER", roster, createdAtSeconds: 100 });
  await settled();
  return run;
}

const running = (run: Run) =>
  run.recorded.running(true).filter((invocation) => invocation.src === "resurrectSibling");

describe("the sibling watch: the eldest live sibling acts for a silent sibling when the parent is gone", () => {
  it("never acts while the parent beats, even with a silent sibling", async () => {
    const run = await withRoster("A");
    await run.advance(4 * THRESHOLD, [PARENT, "C"]);
    expect(run.resurrections()).toEqual([]);
    expect(run.actor.getSnapshot().context.alerts).toEqual([]);
    run.actor.stop();
  });

  it("acts once the parent is silent: the silent sibling, with a key of its silence window, and one alert", async () => {
    const run = await withRoster("A");
    await run.advance(THRESHOLD + 2 * CHECK, ["C"]);
    const started = run.resurrections();
    expect(started).toHaveLength(1);
    const window = T0 + THRESHOLD;
    expect(started[0]).toEqual({
      key: `A:resurrect-sibling:B:${window}`,
      childId: "B",
      attempt: 1,
      avoidProviders: ["akash1providerA", "akash1providerB", "akash1providerC"],
    });
    const alerts = run.actor.getSnapshot().context.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ source: "siblingWatch", severity: "high" });
    expect(alerts[0]?.message).toContain("B");
    run.actor.stop();
  });

  it("only the eldest live sibling acts: B waits while A beats, and acts when A is silent too", async () => {
    const eldestAlive = await withRoster("B");
    await eldestAlive.advance(3 * THRESHOLD, ["A"]);
    expect(eldestAlive.resurrections()).toEqual([]);
    eldestAlive.actor.stop();

    const eldestGone = await withRoster("B");
    await eldestGone.advance(THRESHOLD + 2 * CHECK);
    // A (index 0) is silent as well: B resurrects the lowest silent index first, and one at a time.
    expect(eldestGone.resurrections().map((input) => input.childId)).toEqual(["A"]);
    eldestGone.actor.stop();
  });

  it("resurrects one sibling at a time, and the next once the first is over", async () => {
    const run = await withRoster("A");
    await run.advance(THRESHOLD + 2 * CHECK);
    expect(run.resurrections().map((input) => input.childId)).toEqual(["B"]);
    // However long it takes, no second one starts beside it.
    await run.advance(3 * THRESHOLD);
    expect(run.resurrections()).toHaveLength(1);
    const [first] = running(run);
    run.recorded.settle(first!, {
      done: {
        outcome: "resurrected",
        at: run.clock.now(),
        dseq: "900",
        provider: "akash1providerD",
        uri: "x",
        generation: 2,
      },
    });
    await run.advance(2 * CHECK);
    expect(run.resurrections().map((input) => input.childId)).toEqual(["B", "C"]);
    expect(run.context().resurrected).toEqual({ B: 1 });
    // The resurrected sibling counts as heard from now, and its new place is avoided.
    expect(run.context().roster?.members.find((m) => m.childId === "B")?.provider).toBe("akash1providerD");
    expect(run.resurrections()[1]?.avoidProviders).toContain("akash1providerD");
    run.actor.stop();
  });

  it("tries a sibling at most once per silence window: again only in the next window", async () => {
    const run = await withRoster("A");
    await run.advance(THRESHOLD + 2 * CHECK, ["C"]);
    const [first] = running(run);
    run.recorded.settle(first!, {
      done: { outcome: "alive", at: run.clock.now(), reason: "its lease runs" },
    });
    // Checks go on every second within the same window: no second attempt.
    await run.advance(THRESHOLD - 4 * CHECK, ["C"]);
    expect(run.resurrections()).toHaveLength(1);
    await run.advance(4 * CHECK, ["C"]);
    const inputs = run.resurrections();
    expect(inputs).toHaveLength(2);
    // Its take-back refused and its dir was dropped: the same dir number again, in the new window.
    expect(inputs[1]).toMatchObject({
      childId: "B",
      attempt: 1,
      key: `A:resurrect-sibling:B:${T0 + 2 * THRESHOLD}`,
    });
    run.actor.stop();
  });

  it("after a failure it alerts and resumes the same attempt only in the next window", async () => {
    const run = await withRoster("A");
    await run.advance(THRESHOLD + 2 * CHECK, ["C"]);
    run.recorded.settle(running(run)[0]!, { error: new Error("the provider list could not be read") });
    await run.advance(2 * CHECK, ["C"]);
    expect(run.resurrections()).toHaveLength(1);
    expect(run.context().lastError?.message).toContain("provider list");
    expect(run.actor.getSnapshot().context.alerts.map((alert) => alert.severity)).toEqual([
      "high",
      "critical",
    ]);
    // The next window resumes the failed attempt in its own data dir (its take-back may be done).
    await run.advance(THRESHOLD, ["C"]);
    const inputs = run.resurrections();
    expect(inputs).toHaveLength(2);
    expect(inputs[1]).toMatchObject({
      childId: "B",
      attempt: 1,
      key: `A:resurrect-sibling:B:${T0 + 2 * THRESHOLD}`,
    });
    run.recorded.settle(running(run)[0]!, {
      done: {
        outcome: "resurrected",
        at: run.clock.now(),
        dseq: "9",
        provider: "akash1providerD",
        uri: "x",
        generation: 2,
      },
    });
    await settled();
    // Resurrected: should it fall silent again, it comes back from a new data dir.
    await run.advance(THRESHOLD + 2 * CHECK, ["C"]);
    expect(run.resurrections()[2]).toMatchObject({ childId: "B", attempt: 2 });
    run.actor.stop();
  });

  it("a restore in the middle of a resurrection resumes it with the same key (and starts no other)", async () => {
    const run = await withRoster("A");
    await run.advance(THRESHOLD + 2 * CHECK, ["C"]);
    const before = run.resurrections();
    expect(before).toHaveLength(1);
    const persisted: unknown = JSON.parse(JSON.stringify(run.actor.getPersistedSnapshot()));
    run.actor.stop();

    const restored = start("A", { snapshot: persisted, clock: run.clock });
    await settled();
    await restored.advance(2 * CHECK, ["C"]);
    expect(restored.resurrections()).toEqual(before);
    expect(restored.context().resurrecting).toMatchObject({ childId: "B", attempt: 1 });
    // The check schedule is re-armed (waits are invoked actors with absolute deadlines).
    restored.recorded.settle(running(restored)[0]!, {
      done: { outcome: "alive", at: restored.clock.now(), reason: "its lease runs" },
    });
    await restored.advance(2 * CHECK, ["C"]);
    expect(restored.recorded.invocations.filter((i) => i.src === "checkSiblings").length).toBeGreaterThan(0);
    restored.actor.stop();
  });

  it("ignores an older roster and follows a newer one", async () => {
    const run = await withRoster("A");
    const fewer = { ...roster, members: roster.members.slice(0, 2), publishedAt: T0 };
    run.watch().send({ type: "SIBLINGS.ROSTER", roster: fewer, createdAtSeconds: 99 });
    expect(run.context().roster?.members).toHaveLength(3);
    run.watch().send({ type: "SIBLINGS.ROSTER", roster: fewer, createdAtSeconds: 101 });
    expect(run.context().roster?.members).toHaveLength(2);
    run.actor.stop();
  });

  it("a restored watch judges nobody on the heartbeats it saw before: it listens for a threshold first", async () => {
    const run = await withRoster("B");
    // A and the parent beat for a while, then the process stops (a backup, a move, a crash).
    await run.advance(5 * CHECK, ["A", PARENT]);
    const persisted: unknown = JSON.parse(JSON.stringify(run.actor.getPersistedSnapshot()));
    run.actor.stop();
    // Long after, it comes back: its last heartbeats of A and the parent are old, yet they beat now.
    run.clock.increment(5 * THRESHOLD);
    const restored = start("B", { snapshot: persisted, clock: run.clock });
    await settled();
    await restored.advance(THRESHOLD - 2 * CHECK);
    expect(restored.resurrections()).toEqual([]);
    // Heard again, A (the eldest) lives: B never acts for C while A beats, even with the parent gone.
    await restored.advance(3 * THRESHOLD, ["A"]);
    expect(restored.resurrections()).toEqual([]);
    restored.actor.stop();
  });
});
