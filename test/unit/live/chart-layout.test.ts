import { beforeAll, describe, expect, it } from "vitest";
import { type AnyStateMachine, type AnyStateNode, createMachine } from "xstate";
import { chartGraph } from "../../../src/live/chart-graph.js";
import { placeLayout } from "../../../src/live/chart-layout.js";
import { AGENT_CHARTED_MACHINES, layoutMachineCharts, type MachineChart } from "../../../src/live/index.js";

/** Every state of a machine as the page keys it: `machineId.path.to.state`. */
function stateKeys(machine: AnyStateMachine): string[] {
  const keys: string[] = [];
  const walk = (node: AnyStateNode) => {
    keys.push([machine.id, ...node.path].join("."));
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return keys;
}

const dataStates = (svg: string) =>
  [...svg.matchAll(/<g class="[^"]*" data-state="([^"]+)"/g)].map((m) => m[1]!);

describe("machine charts", () => {
  let charts: MachineChart[];

  beforeAll(async () => {
    charts = await layoutMachineCharts(AGENT_CHARTED_MACHINES);
  }, 60_000);

  it("draws one data-state group per state of every agent machine, and nothing else", () => {
    expect(charts.map((chart) => chart.machineId)).toEqual(
      AGENT_CHARTED_MACHINES.map((machine) => machine.id),
    );
    for (const [index, machine] of AGENT_CHARTED_MACHINES.entries()) {
      const chart = charts[index]!;
      const expected = stateKeys(machine);
      expect(expected.length).toBeGreaterThan(3);
      expect(dataStates(chart.svg).sort()).toEqual([...expected].sort());
      expect(chart.states.sort()).toEqual([...expected].sort());
      // All start unlit; the page lights them.
      expect(chart.svg).not.toContain('data-active="true"');
      expect(chart.svg.startsWith("<svg ")).toBe(true);
      expect(chart.svg).toContain(`data-machine="${machine.id}"`);
    }
  });

  it("places every state inside the chart and inside its parent's box", () => {
    const lease = charts.find((chart) => chart.machineId === "lease")!;
    const boxes = new Map(
      [
        ...lease.svg.matchAll(
          /data-state="([^"]+)"[^>]*><title>[^<]*<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g,
        ),
      ].map((m) => [m[1]!, { x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) }]),
    );
    expect(boxes.size).toBe(lease.states.length);
    for (const [key, box] of boxes) {
      expect(box.w).toBeGreaterThan(0);
      expect(box.x + box.w).toBeLessThanOrEqual(lease.width + 0.5);
      expect(box.y + box.h).toBeLessThanOrEqual(lease.height + 0.5);
      const parent = boxes.get(key.split(".").slice(0, -1).join("."));
      if (!parent) continue;
      expect(box.x).toBeGreaterThanOrEqual(parent.x);
      expect(box.y).toBeGreaterThanOrEqual(parent.y);
      expect(box.x + box.w).toBeLessThanOrEqual(parent.x + parent.w + 0.5);
      expect(box.y + box.h).toBeLessThanOrEqual(parent.y + parent.h + 0.5);
    }
  });

  it("draws the transitions, eventless ones included, with their events and guards", () => {
    const keys = charts.find((chart) => chart.machineId === "keys")!;
    expect(keys.svg).toMatch(
      /<g class="edge" data-source="keys\.starting" data-target="keys\.disabled"><path d="M/,
    );
    expect(keys.svg).toContain("always [nothingRotates]");
    const lease = charts.find((chart) => chart.machineId === "lease")!;
    expect(lease.svg).toContain("done(generateSdl)");
    expect(lease.svg).toContain("LEASE.DEPLOY");
  });
});

describe("cancelling a layout", () => {
  it("stops the worker and rejects", async () => {
    const controller = new AbortController();
    const pending = layoutMachineCharts(AGENT_CHARTED_MACHINES, controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow("the chart layout was cancelled");
    await expect(layoutMachineCharts(AGENT_CHARTED_MACHINES, controller.signal)).rejects.toThrow("cancelled");
  });
});

describe("placing elk's output", () => {
  it("offsets nodes by their parents and edge points by the edge's container", () => {
    const machine = createMachine({
      id: "m",
      initial: "a",
      states: { a: { initial: "x", states: { x: { on: { GO: "y" } }, y: {} } }, b: {} },
    });
    const graph = chartGraph(machine);
    const edgeId = [...graph.edges.entries()].find(([, edge]) => edge.target === "m.a.y")![0];
    const placed = placeLayout(graph, {
      id: "m#graph",
      children: [
        {
          id: "m",
          x: 4,
          y: 4,
          width: 300,
          height: 200,
          children: [
            {
              id: "m.a",
              x: 10,
              y: 20,
              width: 200,
              height: 150,
              children: [
                { id: "m.a.x", x: 5, y: 30, width: 50, height: 30 },
                { id: "m.a.y", x: 5, y: 100, width: 50, height: 30 },
              ],
            },
            { id: "m.b", x: 230, y: 20, width: 50, height: 30 },
          ],
        },
      ],
      edges: [
        {
          id: edgeId,
          container: "m.a",
          sections: [{ startPoint: { x: 30, y: 60 }, endPoint: { x: 30, y: 100 } }],
          labels: [{ text: "GO", x: 32, y: 75, width: 14, height: 15 }],
        },
      ],
    });
    expect(placed.states.map((state) => state.key)).toEqual(["m", "m.a", "m.a.x", "m.a.y", "m.b"]);
    expect(placed.states.find((state) => state.key === "m.a.y")).toMatchObject({ x: 19, y: 124 });
    const edge = placed.edges.find((entry) => entry.id === edgeId)!;
    // m.a sits at (14, 24) in the chart.
    expect(edge.points).toEqual([
      { x: 44, y: 84 },
      { x: 44, y: 124 },
    ]);
    expect(edge.label).toMatchObject({ text: "GO", x: 46, y: 99 });
  });
});
