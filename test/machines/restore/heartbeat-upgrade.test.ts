import { describe, expect, it } from "vitest";
import { createActor, fromCallback, SimulatedClock } from "xstate";
import { AGENT_MACHINE_VERSION, AGENT_SNAPSHOT_UPGRADES } from "../../../src/machines/index.js";
import { agentTree, quietTreeSnapshot, type TreeWorld, treeSettings } from "../../support/agent-tree.js";
import { RecordedActors, settled } from "../../support/recorded-actors.js";

const T0 = Date.UTC(2026, 11, 1, 12);

/** The tree with a heartbeat that counts its starts. */
function treeCountingHeartbeats(starts: { count: number }) {
  const clock = new SimulatedClock();
  clock.set(T0);
  const world: TreeWorld = { recorded: new RecordedActors(), clock, alerts: [] };
  const machine = agentTree(world).provide({
    actors: {
      heartbeat: fromCallback(() => {
        starts.count += 1;
        return () => {};
      }),
    },
  });
  return { machine, clock };
}

describe("version 5 → 6: the root's heartbeat actor", () => {
  it("is in every version 6 snapshot, and the upgrade adds it to a version 5 one so a restore starts it", async () => {
    expect(Number(AGENT_MACHINE_VERSION)).toBeGreaterThanOrEqual(6);
    const current = (await quietTreeSnapshot(T0)) as { children: Record<string, { src: string }> };
    expect(current.children.heartbeat).toMatchObject({ src: "heartbeat" });

    const { heartbeat: _dropped, ...olderChildren } = current.children;
    const version5 = { ...current, children: olderChildren };
    const starts = { count: 0 };
    const restoredAsIs = treeCountingHeartbeats(starts);
    const before = createActor(restoredAsIs.machine, {
      input: { settings: treeSettings },
      snapshot: version5 as never,
      clock: restoredAsIs.clock,
    });
    before.start();
    await settled();
    // Without the upgrade a restore starts only the children the snapshot lists: no heartbeat.
    expect(starts.count).toBe(0);
    before.stop();

    const upgraded = AGENT_SNAPSHOT_UPGRADES["5"]!(version5);
    const tree = treeCountingHeartbeats(starts);
    const after = createActor(tree.machine, {
      input: { settings: treeSettings },
      snapshot: upgraded as never,
      clock: tree.clock,
    });
    after.start();
    await settled();
    expect(starts.count).toBe(1);
    expect(Object.keys(after.getSnapshot().children)).toContain("heartbeat");
    after.stop();
    // Upgrading twice changes nothing.
    expect(AGENT_SNAPSHOT_UPGRADES["5"]!(upgraded)).toEqual(upgraded);
  });
});
