import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from "xstate";
import { type DirectedGraphNode, toDirectedGraph } from "xstate/graph";

/** Monospace labels have a width we can compute without a browser: 11 px DejaVu Sans Mono ≈ 6.7 px a glyph. */
export const LABEL_FONT_PX = 11;
const GLYPH_PX = 6.7;
export const LINE_PX = 15;
const LEAF_HEIGHT = 30;
const NODE_PADDING_X = 14;
const MIN_LEAF_WIDTH = 56;

export type StateKind = "atomic" | "compound" | "parallel" | "final" | "history";

/** What the SVG needs to know about a state besides its box. */
export interface ChartStateInfo {
  /** `machineId.path.to.state`: the page's `data-state` and what an active state value maps to. */
  key: string;
  name: string;
  kind: StateKind;
  initial: boolean;
  /** Whether the parent is parallel: this node is a region, drawn dashed. */
  region: boolean;
  invokes: string[];
}

export interface ChartEdgeInfo {
  source: string;
  target: string;
  label: string;
}

/** An elk input graph for one machine, with the facts the renderer draws beside the boxes. */
export interface ChartGraph {
  machineId: string;
  elk: ElkNode;
  states: Map<string, ChartStateInfo>;
  edges: Map<string, ChartEdgeInfo>;
}

export function textWidth(text: string): number {
  return Math.ceil(text.length * GLYPH_PX);
}

/** The key a state gets in the page: its path under the machine's id, independent of custom state ids. */
export function stateKey(machineId: string, node: AnyStateNode): string {
  return [machineId, ...node.path].join(".");
}

function guardLabel(transition: AnyTransitionDefinition): string {
  const guard = transition.guard as unknown;
  if (!guard) return "";
  if (typeof guard === "string") return ` [${guard}]`;
  const { type, params } = guard as { type?: unknown; params?: unknown };
  // Static params tell apart guards of one type (`plans` with kind migrate / top-up-escrow / …).
  const values =
    typeof params === "object" && params !== null
      ? Object.values(params).filter((value) => ["string", "number", "boolean"].includes(typeof value))
      : [];
  const name = typeof type === "string" ? type : "condition";
  return ` [${[name, ...values].join(" ")}]`;
}

/** `xstate.done.actor.<id>` reads as `done(src)` like docs/charts; other events keep their names. */
function eventLabel(eventType: string, invokes: string[]): string {
  const src = invokes.join(", ");
  if (eventType.startsWith("xstate.done.actor.")) return `done(${src})`;
  if (eventType.startsWith("xstate.error.actor.")) return `error(${src})`;
  if (eventType === "") return "always";
  return eventType;
}

function kindOf(node: AnyStateNode): StateKind {
  if (node.type === "parallel") return "parallel";
  if (node.type === "final") return "final";
  if (node.type === "history") return "history";
  return Object.keys(node.states).length > 0 ? "compound" : "atomic";
}

/** The lines written in a state's box (leaf) or its header (compound): its name, then what it invokes. */
export function stateLines(info: ChartStateInfo): string[] {
  return [info.name, ...info.invokes.map((src) => `invokes ${src}`)];
}

/**
 * Turns a machine into an elk graph: `xstate/graph`'s `toDirectedGraph` gives the nesting and the
 * event transitions; eventless (`always`) transitions, which it leaves out, are added from the state
 * nodes. Targetless transitions (actions only) draw nothing. Every edge is declared on the root and
 * elk (hierarchyHandling INCLUDE_CHILDREN) moves it to its container, which its output names.
 */
export function chartGraph(machine: AnyStateMachine): ChartGraph {
  const machineId = machine.id;
  const states = new Map<string, ChartStateInfo>();
  const edges = new Map<string, ChartEdgeInfo>();
  const elkEdges: ElkExtendedEdge[] = [];

  const addEdge = (source: AnyStateNode, target: AnyStateNode, label: string) => {
    const id = `e${edges.size}`;
    const info = { source: stateKey(machineId, source), target: stateKey(machineId, target), label };
    edges.set(id, info);
    elkEdges.push({
      id,
      sources: [info.source],
      targets: [info.target],
      // A centred label becomes a node of its own in elk's layered layout and pushes whole layers
      // apart; placed at the edge's head it only takes room beside the target (the chart is ~2.5× smaller).
      labels: [
        {
          text: label,
          width: textWidth(label),
          height: LINE_PX,
          layoutOptions: { "elk.edgeLabels.placement": "HEAD" },
        },
      ],
    });
  };

  const visit = (graph: DirectedGraphNode, parent: AnyStateNode | undefined): ElkNode => {
    const node = graph.stateNode as AnyStateNode;
    const key = stateKey(machineId, node);
    const info: ChartStateInfo = {
      key,
      name: node.path.at(-1) ?? machineId,
      kind: kindOf(node),
      initial: parent?.type === "compound" && parent.initial?.target?.[0] === node,
      region: parent?.type === "parallel",
      invokes: node.invoke.map((invoke) => String(invoke.src)),
    };
    states.set(key, info);
    for (const edge of graph.edges) {
      const transition = edge.transition as AnyTransitionDefinition;
      if (!transition.target || transition.target.length === 0) continue;
      const label = `${eventLabel(transition.eventType, info.invokes)}${guardLabel(transition)}`;
      addEdge(node, edge.target as AnyStateNode, label);
    }
    for (const transition of node.always ?? []) {
      for (const target of transition.target ?? []) addEdge(node, target, `always${guardLabel(transition)}`);
    }
    const children = graph.children.map((child) => visit(child, node));
    const lines = stateLines(info);
    const width = Math.max(MIN_LEAF_WIDTH, ...lines.map((line) => textWidth(line) + 2 * NODE_PADDING_X));
    if (children.length === 0) {
      return { id: key, width, height: Math.max(LEAF_HEIGHT, lines.length * LINE_PX + 12) };
    }
    return {
      id: key,
      children,
      layoutOptions: {
        "elk.padding": `[top=${LINE_PX * lines.length + 12},left=12,bottom=12,right=12]`,
        "elk.nodeSize.constraints": "MINIMUM_SIZE",
        "elk.nodeSize.minimum": `(${width}, ${LEAF_HEIGHT})`,
      },
    };
  };

  // The machine's root is a box of its own inside elk's graph, so its own transitions (to its
  // descendants) are edges between nodes like any other.
  const root: ElkNode = {
    id: `${machineId}#graph`,
    children: [visit(toDirectedGraph(machine), undefined)],
    edges: elkEdges,
  };
  root.layoutOptions = {
    "elk.padding": "[top=4,left=4,bottom=4,right=4]",
    "elk.algorithm": "layered",
    "elk.direction": "DOWN",
    "elk.hierarchyHandling": "INCLUDE_CHILDREN",
    "elk.layered.spacing.nodeNodeBetweenLayers": "36",
    "elk.spacing.nodeNode": "24",
    "elk.spacing.edgeLabel": "4",
    "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  };
  return { machineId, elk: root, states, edges };
}
