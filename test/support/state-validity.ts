import {
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  isMachineSnapshot,
  type StateValue,
} from "xstate";

/** Every state node id a machine declares. */
export function declaredStateIds(machine: AnyStateMachine): Set<string> {
  const ids = new Set<string>();
  const walk = (node: AnyStateNode) => {
    ids.add(node.id);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return ids;
}

/** States left as soon as they are entered: an eventless transition without a guard always fires. */
export function transientStateIds(machine: AnyStateMachine): Set<string> {
  const ids = new Set<string>();
  const walk = (node: AnyStateNode) => {
    if ((node.always ?? []).some((transition) => !transition.guard)) ids.add(node.id);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return ids;
}

/**
 * Why `value` is not a configuration of `node` (one child of a compound state, all regions of a
 * parallel one, nothing under an atomic or final one), or null when it is.
 */
export function configurationProblem(node: AnyStateNode, value: StateValue | undefined): string | null {
  const children = Object.keys(node.states);
  if (node.type === "atomic" || node.type === "final" || node.type === "history") {
    const empty = value === undefined || (typeof value === "object" && Object.keys(value).length === 0);
    return empty ? null : `${node.id} is ${node.type} but the value goes on: ${JSON.stringify(value)}`;
  }
  if (value === undefined) return `${node.id} is ${node.type} but the value stops there`;
  if (node.type === "compound") {
    if (typeof value === "string") {
      const child = node.states[value];
      if (!child) return `${node.id} has no state "${value}" (has ${children.join(", ")})`;
      return configurationProblem(child, undefined);
    }
    const keys = Object.keys(value);
    if (keys.length !== 1) return `${node.id} is compound but ${keys.length} children are active`;
    const key = keys[0]!;
    const child = node.states[key];
    if (!child) return `${node.id} has no state "${key}" (has ${children.join(", ")})`;
    return configurationProblem(child, value[key]);
  }
  // parallel
  if (typeof value === "string") return `${node.id} is parallel but only "${value}" is active`;
  const keys = Object.keys(value).sort();
  if (keys.join(",") !== [...children].sort().join(",")) {
    return `${node.id} is parallel with regions ${children.join(", ")} but ${keys.join(", ")} are active`;
  }
  for (const key of keys) {
    const problem = configurationProblem(node.states[key]!, value[key]);
    if (problem) return problem;
  }
  return null;
}

export interface MachineActorView {
  /** Path of actor ids from the root, e.g. `agent/lease`. */
  path: string;
  ref: AnyActorRef;
  snapshot: AnyMachineSnapshot;
  machine: AnyStateMachine;
}

/** The root and every machine actor under it (invoked or spawned), depth first. */
export function machineActors(root: AnyActorRef, rootName = "root"): MachineActorView[] {
  const found: MachineActorView[] = [];
  const walk = (ref: AnyActorRef, path: string) => {
    const snapshot: unknown = ref.getSnapshot();
    if (!isMachineSnapshot(snapshot)) return;
    found.push({ path, ref, snapshot, machine: snapshot.machine });
    for (const [id, child] of Object.entries(snapshot.children as Record<string, AnyActorRef | undefined>)) {
      if (child) walk(child, `${path}/${id}`);
    }
  };
  walk(root, rootName);
  return found;
}

/**
 * Problems of every machine actor in the tree: a status other than active or done, a state value
 * that is not a configuration of the machine, or a settled snapshot resting in a transient state.
 */
export function treeProblems(root: AnyActorRef, rootName = "root"): string[] {
  const problems: string[] = [];
  for (const { path, snapshot, machine } of machineActors(root, rootName)) {
    const status: string = snapshot.status;
    if (status !== "active" && status !== "done") {
      problems.push(`${path}: status ${status}${status === "error" ? ` (${String(snapshot.error)})` : ""}`);
      continue;
    }
    const problem = configurationProblem(machine.root, snapshot.value);
    if (problem) problems.push(`${path}: ${problem}`);
    const transient = transientStateIds(machine);
    const declared = declaredStateIds(machine);
    for (const node of snapshot._nodes) {
      if (!declared.has(node.id)) problems.push(`${path}: undeclared state ${node.id}`);
      if (transient.has(node.id) && status === "active")
        problems.push(`${path}: rests in transient ${node.id}`);
    }
  }
  return problems;
}
