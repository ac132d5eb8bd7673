import type { AnyStateMachine } from "xstate";
import { type ChartGraph, chartGraph } from "./chart-graph.js";
import { renderChartSvg } from "./chart-svg.js";
import { layoutInWorker } from "./elk-worker.js";

/** One machine's chart, laid out and drawn. */
export interface MachineChart {
  machineId: string;
  /** An `<svg>` element with a `data-state` on every state's group (`machineId.path.to.state`). */
  svg: string;
  /** Every state key in the chart, in document order. */
  states: string[];
  width: number;
  height: number;
}

/** Box of a laid-out state, in the chart's absolute coordinates. */
export interface PlacedState {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
}

export interface PlacedEdge {
  id: string;
  points: { x: number; y: number }[];
  label: { text: string; x: number; y: number; width: number; height: number } | null;
}

export interface PlacedChart {
  graph: ChartGraph;
  states: PlacedState[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

interface LaidOutEdge {
  id: string;
  container?: string;
  sections?: {
    startPoint: { x: number; y: number };
    endPoint: { x: number; y: number };
    bendPoints?: { x: number; y: number }[];
  }[];
  labels?: { text?: string; x?: number; y?: number; width?: number; height?: number }[];
}

interface LaidOutNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  children?: LaidOutNode[];
  edges?: LaidOutEdge[];
}

/**
 * elk's output gives node positions relative to their parent and edge points (and edge labels)
 * relative to the edge's container (`container` in the output, else the node that declares it):
 * this flattens both into one coordinate space.
 */
export function placeLayout(graph: ChartGraph, laidOut: LaidOutNode): PlacedChart {
  const origins = new Map<string, { x: number; y: number }>();
  const states: PlacedState[] = [];
  const declared: { edge: LaidOutEdge; owner: string }[] = [];
  const walk = (node: LaidOutNode, offsetX: number, offsetY: number, depth: number) => {
    const x = offsetX + (node.x ?? 0);
    const y = offsetY + (node.y ?? 0);
    origins.set(node.id, { x, y });
    states.push({ key: node.id, x, y, width: node.width ?? 0, height: node.height ?? 0, depth });
    for (const edge of node.edges ?? []) declared.push({ edge, owner: node.id });
    for (const child of node.children ?? []) walk(child, x, y, depth + 1);
  };
  walk(laidOut, 0, 0, -1);
  // The graph's own box is elk's frame, not a state.
  states.shift();

  const edges: PlacedEdge[] = declared.map(({ edge, owner }) => {
    const origin = origins.get(edge.container ?? owner) ?? { x: 0, y: 0 };
    const at = (point: { x: number; y: number }) => ({ x: origin.x + point.x, y: origin.y + point.y });
    const points = (edge.sections ?? []).flatMap((section) => [
      at(section.startPoint),
      ...(section.bendPoints ?? []).map(at),
      at(section.endPoint),
    ]);
    const label = edge.labels?.[0];
    return {
      id: edge.id,
      points,
      label:
        label?.text === undefined
          ? null
          : {
              text: label.text,
              x: origin.x + (label.x ?? 0),
              y: origin.y + (label.y ?? 0),
              width: label.width ?? 0,
              height: label.height ?? 0,
            },
    };
  });
  return { graph, states, edges, width: laidOut.width ?? 0, height: laidOut.height ?? 0 };
}

/**
 * Lays every machine out with elk (in a worker thread) and draws each as SVG, in the order given.
 * State keys are `machineId.path.to.state`, the same whatever ids the states declare.
 */
export async function layoutMachineCharts(
  machines: readonly AnyStateMachine[],
  signal?: AbortSignal,
): Promise<MachineChart[]> {
  const graphs = machines.map((machine) => chartGraph(machine));
  const laidOut = await layoutInWorker(
    graphs.map((graph) => graph.elk),
    signal,
  );
  return graphs.map((graph, index) => {
    const placed = placeLayout(graph, laidOut[index] as LaidOutNode);
    return {
      machineId: graph.machineId,
      svg: renderChartSvg(placed),
      states: placed.states.map((state) => state.key),
      width: placed.width,
      height: placed.height,
    };
  });
}
