import { describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { agentTree, type TreeWorld, treeSettings } from "../support/agent-tree.js";
import { RecordedActors, settled } from "../support/recorded-actors.js";

describe("agent root: alerts keep their incident on the way to the outbox", () => {
  it("passes `incident` and `resolves` through, and leaves them out when a machine gave none", async () => {
    const clock = new SimulatedClock();
    const world: TreeWorld = { recorded: new RecordedActors(), clock, alerts: [] };
    const actor = createActor(agentTree(world), { input: { settings: treeSettings }, clock });
    actor.start();
    const base = { type: "ALERT.RAISED", severity: "low", message: "m", source: "health" } as const;
    actor.send({ ...base, title: "Chain reachable again", incident: "chain-unreachable", resolves: true });
    actor.send({ ...base, title: "Something" });
    await settled();
    expect(world.alerts).toEqual([
      expect.objectContaining({
        title: "Chain reachable again",
        incident: "chain-unreachable",
        resolves: true,
      }),
      expect.not.objectContaining({ incident: expect.anything() }),
    ]);
    expect(world.alerts[1]).not.toHaveProperty("resolves");
    actor.stop();
  });
});
