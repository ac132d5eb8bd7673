import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from "xstate";

function guardName(transition: AnyTransitionDefinition): string {
  const guard = transition.guard as unknown;
  if (!guard) return "";
  if (typeof guard === "string") return ` [${guard}]`;
  const type = (guard as { type?: unknown }).type;
  return ` [${typeof type === "string" ? type : "condition"}]`;
}

function targets(transition: AnyTransitionDefinition): string {
  const nodes = (transition.target ?? []) as AnyStateNode[];
  return nodes.map((node) => node.path.join(".")).join(", ") || "(stays)";
}

/**
 * A machine's chart as a Markdown outline: every state, what it invokes, and every transition with
 * its guard and target, in the order XState tries them. Generated from the machine itself, so the
 * documented chart cannot drift from the code (test/machines/chart-docs.test.ts checks it).
 */
export function describeChart(machine: AnyStateMachine): string {
  const lines: string[] = [];
  const walk = (node: AnyStateNode, depth: number) => {
    const name = node.path.join(".") || machine.id;
    const invoked = node.invoke.map((invoke) => String(invoke.src)).join(", ");
    const kind = node.type === "final" ? " (final)" : node.type === "parallel" ? " (parallel)" : "";
    lines.push(`${"  ".repeat(depth)}- **${name}**${kind}${invoked ? ` — invokes ${invoked}` : ""}`);
    const rows: string[] = [];
    for (const [event, definitions] of node.transitions) {
      const label = event.startsWith("xstate.done.actor.")
        ? `done(${invoked})`
        : event.startsWith("xstate.error.actor.")
          ? `error(${invoked})`
          : event;
      for (const transition of definitions)
        rows.push(`${label}${guardName(transition)} → ${targets(transition)}`);
    }
    for (const transition of node.always ?? [])
      rows.push(`always${guardName(transition)} → ${targets(transition)}`);
    for (const row of rows) lines.push(`${"  ".repeat(depth + 1)}- ${row}`);
    for (const child of Object.values(node.states)) walk(child, depth + 1);
  };
  walk(machine.root, 0);
  return `${lines.join("\n")}\n`;
}
