import { describe, expect, it } from "vitest";
import { type AnyActorRef, createActor, fromCallback, SimulatedClock } from "xstate";
import type { AgentSettings } from "../../src/machines/index.js";
import { siblingWatchMachine } from "../../src/machines/sibling-watch/sibling-watch.machine.js";
import { agentTree, type TreeWorld, treeSettings } from "../support/agent-tree.js";
import { clockWaits } from "../support/clock-waits.js";
import { RecordedActors, settled, withActors } from "../support/recorded-actors.js";
import { successfulOutput } from "../support/successful-effects.js";

const T0 = Date.UTC(2026, 11, 3, 12);

const childSettings: AgentSettings = {
  ...treeSettings,
  siblingWatch: {
    silenceThresholdMs: 600_000,
    heartbeatCheckMs: 60_000,
    relays: ["ws://127.0.0.1:1"],
    parentNpub: "npub1parent",
  },
};

function treeWith(world: TreeWorld) {
  return withActors(agentTree(world), {
    siblingWatch: withActors(siblingWatchMachine, {
      followRoster: fromCallback(() => () => {}),
      watchMemberHeartbeats: fromCallback(() => () => {}),
      checkSiblings: world.recorded.automatic("checkSiblings", async () => ({
        at: world.clock.now(),
        watchingSince: T0,
      })),
      resurrectSibling: world.recorded.scripted("resurrectSibling"),
      ...clockWaits(world.clock, world.recorded),
    }),
  });
}

/** Runs the agent with every effect succeeding until it is running its children; returns it. */
async function running(settings: AgentSettings, snapshot?: unknown) {
  const clock = new SimulatedClock();
  clock.set(T0);
  const world: TreeWorld = { recorded: new RecordedActors(), clock, alerts: [] };
  const actor = createActor(treeWith(world), {
    input: { settings },
    clock,
    ...(snapshot ? { snapshot: snapshot as never } : {}),
  });
  actor.start();
  for (let steps = 0; steps < 60 && actor.system.get("lease") === undefined; steps += 1) {
    await settled();
    const next = world.recorded.running(true).at(-1);
    if (next) world.recorded.settle(next, { done: successfulOutput(next.src, next.input, clock.now()) });
  }
  await settled();
  return actor;
}

describe("the agent runs a sibling watch only as a child", () => {
  it("a child's agent spawns it by name with its systemId, and a restore brings it back", async () => {
    const actor = await running(childSettings);
    const watch = actor.system.get("siblingWatch") as AnyActorRef | undefined;
    expect(watch).toBeDefined();
    expect(watch?.getSnapshot().value).toEqual({
      roster: "following",
      listening: "awaiting_roster",
      watch: "awaiting_roster",
    });
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as {
      children: Record<string, { src: string; systemId: string }>;
    };
    actor.stop();
    expect(persisted.children.siblingWatch).toMatchObject({ src: "siblingWatch", systemId: "siblingWatch" });

    const restored = await running(childSettings, persisted);
    expect(restored.system.get("siblingWatch")).toBeDefined();
    restored.stop();
  });

  it("an agent without a parent has none", async () => {
    const actor = await running(treeSettings);
    expect(actor.system.get("lease")).toBeDefined();
    expect(actor.system.get("siblingWatch")).toBeUndefined();
    actor.stop();
  });

  it("a child restored from a snapshot taken before it had a sibling watch starts one when told", async () => {
    const old = await running(treeSettings);
    const persisted: unknown = JSON.parse(JSON.stringify(old.getPersistedSnapshot()));
    old.stop();
    const restored = await running(childSettings, persisted);
    expect(restored.system.get("siblingWatch")).toBeUndefined();
    restored.send({ type: "SIBLINGS.WATCH", settings: childSettings.siblingWatch! });
    restored.send({ type: "SIBLINGS.WATCH", settings: childSettings.siblingWatch! });
    const watch = restored.system.get("siblingWatch") as AnyActorRef | undefined;
    expect(watch?.getSnapshot().context.settings).toEqual(childSettings.siblingWatch);
    expect(Object.keys(restored.getSnapshot().children).filter((id) => id === "siblingWatch")).toHaveLength(
      1,
    );
    restored.stop();
  });

  it("stops it with the agent: a stopped agent holds no stopped sibling watch (the fuzz found one)", async () => {
    const actor = await running(childSettings);
    expect(actor.system.get("siblingWatch")).toBeDefined();
    actor.send({ type: "AGENT.SHUTDOWN", terminateLease: false });
    await settled();
    expect(actor.getSnapshot().status).toBe("done");
    expect(Object.keys(actor.getSnapshot().children)).not.toContain("siblingWatch");
    actor.stop();
  });
});
