import {
  type AnyActorRef,
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  createActor,
  createEmptyActor,
  type EventObject,
  fromPromise,
  type InputFrom,
  type InspectionEvent,
  type SnapshotFrom,
} from "xstate";
import { adjacencyMapToArray, getAdjacencyMap, getShortestPaths, type StatePath } from "xstate/graph";

/** One scripted result of an invoked actor: it resolves with `done` or rejects with `error`. */
export type Outcome = { label: string; done: unknown } | { label: string; error: unknown };

export interface MachineModel<TMachine extends AnyStateMachine> {
  machine: TMachine;
  input: InputFrom<TMachine>;
  /** Further inputs explored as models of their own (e.g. a child agent not allowed to reproduce). */
  otherInputs?: Array<InputFrom<TMachine>>;
  /** Every result each invoked actor (by its `src` name) may produce: the explicit event cases. */
  outcomes: Record<string, Outcome[]>;
  /** Events from outside that the model sends in a given state. */
  events: (snapshot: SnapshotFrom<TMachine>) => EventObject[];
  /** What makes two snapshots the same state of the model (value plus the context that guards read). */
  serialize: (snapshot: SnapshotFrom<TMachine>) => string;
  /** States from which the model explores no further (keeps parallel machines' models small). */
  stopWhen?: (snapshot: SnapshotFrom<TMachine>) => boolean;
  /** Actors that are real (e.g. child machines); everything in `outcomes` is scripted. */
  realActors?: Record<string, unknown>;
}

type Snap<TMachine extends AnyStateMachine> = SnapshotFrom<TMachine>;

interface ActorOutcomeEvent extends EventObject {
  actorId: string;
  outcome: Outcome;
  output?: unknown;
  error?: unknown;
}

function isActorOutcome(event: EventObject): event is ActorOutcomeEvent {
  return event.type.startsWith("xstate.done.actor.") || event.type.startsWith("xstate.error.actor.");
}

/** All events the model can take in a snapshot: outside events plus every outcome of every running scripted actor. */
function eventsFor<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
  snapshot: Snap<TMachine>,
): EventObject[] {
  // A finished actor takes no events (the pure transition function would still compute some).
  if ((snapshot as { status: string }).status !== "active") return [];
  const events: EventObject[] = [...model.events(snapshot)];
  const children = (snapshot as { children: Record<string, AnyActorRef & { src?: unknown }> }).children;
  for (const [actorId, child] of Object.entries(children)) {
    const outcomes = typeof child.src === "string" ? model.outcomes[child.src] : undefined;
    for (const outcome of outcomes ?? []) {
      const event: ActorOutcomeEvent =
        "done" in outcome
          ? { type: `xstate.done.actor.${actorId}`, output: outcome.done, actorId, outcome }
          : { type: `xstate.error.actor.${actorId}`, error: outcome.error, actorId, outcome };
      events.push(event);
    }
  }
  return events;
}

function serializeEvent(event: EventObject): string {
  if (isActorOutcome(event)) return `${event.type}#${event.outcome.label}`;
  return JSON.stringify(event);
}

export interface ModelGraph<TMachine extends AnyStateMachine> {
  /** Shortest path to every reachable state of the model, keyed by serialized state. */
  paths: Map<string, StatePath<Snap<TMachine>, EventObject>>;
  /** Every edge (state, event → next state) of the model. */
  edges: Array<{ state: Snap<TMachine>; event: EventObject; nextState: Snap<TMachine> }>;
}

/**
 * The graph traversal runs every transition in one mock actor system, so a child invoked with a
 * `systemId` in two branches of the graph would collide. Each step gets a system of its own.
 */
function withFreshSystemPerStep<TMachine extends AnyStateMachine>(machine: TMachine): TMachine {
  const logic = Object.create(machine) as TMachine;
  logic.transition = ((snapshot: unknown, event: EventObject, scope: object) => {
    const self = createEmptyActor();
    return machine.transition(
      snapshot as never,
      event as never,
      { ...scope, self, system: self.system } as never,
    );
  }) as never;
  return logic;
}

export function exploreModel<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
): ModelGraph<TMachine> {
  const options = {
    input: model.input,
    events: (snapshot: Snap<TMachine>) => eventsFor(model, snapshot),
    serializeState: (snapshot: Snap<TMachine>) => model.serialize(snapshot),
    serializeEvent,
    ...(model.stopWhen ? { stopWhen: model.stopWhen } : {}),
  };
  const logic = withFreshSystemPerStep(model.machine);
  const shortest = getShortestPaths(logic, options as never) as Array<StatePath<Snap<TMachine>, EventObject>>;
  const paths = new Map(shortest.map((path) => [model.serialize(path.state), path]));
  const adjacency = getAdjacencyMap(logic, options as never);
  const edges = adjacencyMapToArray(adjacency) as ModelGraph<TMachine>["edges"];
  return { paths, edges };
}

interface Deferred {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Promise actors whose results the test decides: each invocation waits until `settle` is called for its id. */
class ScriptedActors {
  private readonly pending = new Map<string, Deferred>();

  logic() {
    return fromPromise<unknown, unknown>(
      ({ self }) =>
        new Promise((resolve, reject) => {
          this.pending.set(self.id, { resolve, reject });
        }),
    );
  }

  reset(): void {
    this.pending.clear();
  }

  settle(event: ActorOutcomeEvent): void {
    const deferred = this.pending.get(event.actorId);
    if (!deferred) throw new Error(`no running actor ${event.actorId} to settle with ${event.outcome.label}`);
    this.pending.delete(event.actorId);
    if ("done" in event.outcome) deferred.resolve(event.outcome.done);
    else deferred.reject(event.outcome.error);
  }
}

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ReplayResult {
  stateIds: Set<string>;
  /** Keys of the transitions taken (see transitionKey). */
  transitions: Set<string>;
}

/**
 * A transition's place in its machine: source state, event and position among that event's
 * transitions. Stable across `machine.provide()`, which rebuilds the transition objects.
 */
export function transitionKey(transition: AnyTransitionDefinition): string {
  const source = transition.source as AnyStateNode;
  const siblings: AnyTransitionDefinition[] = transition.eventType
    ? (source.transitions.get(transition.eventType) ?? [])
    : (source.always ?? []);
  return `${source.id}|${transition.eventType || "always"}|${siblings.indexOf(transition)}`;
}

const scriptedMachines = new WeakMap<object, { scripted: ScriptedActors; machine: AnyStateMachine }>();

/** The model's machine with scripted actors, built once per model (`provide` rebuilds every state node). */
function scriptedMachine<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
): { scripted: ScriptedActors; machine: TMachine } {
  let entry = scriptedMachines.get(model);
  if (!entry) {
    const scripted = new ScriptedActors();
    const actors = Object.fromEntries(Object.keys(model.outcomes).map((src) => [src, scripted.logic()]));
    const machine = model.machine.provide({ actors: { ...actors, ...model.realActors } } as never);
    entry = { scripted, machine };
    scriptedMachines.set(model, entry);
  }
  return entry as { scripted: ScriptedActors; machine: TMachine };
}

interface LiveRun<TMachine extends AnyStateMachine> {
  actor: ReturnType<typeof createActor<TMachine>>;
  scripted: ScriptedActors;
}

function startLive<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
  into: ReplayResult,
  snapshot?: unknown,
): LiveRun<TMachine> {
  const { scripted, machine } = scriptedMachine(model);
  scripted.reset();
  const actor: ReturnType<typeof createActor<TMachine>> = createActor(machine, {
    input: model.input,
    ...(snapshot ? { snapshot: snapshot as never } : {}),
    inspect: (inspection: InspectionEvent) => {
      // Only the machine under test: its session is the root of the inspected system.
      if (inspection.type !== "@xstate.microstep" || inspection.actorRef.sessionId !== inspection.rootId)
        return;
      for (const transition of (inspection as { _transitions: AnyTransitionDefinition[] })._transitions) {
        into.transitions.add(transitionKey(transition));
        // Transient states (left at once by `always`) never settle into a snapshot: count them here.
        into.stateIds.add(transition.source.id);
        for (const target of transition.target ?? []) into.stateIds.add(target.id);
      }
    },
  } as never);
  actor.start();
  noteStates(actor, into);
  return { actor, scripted };
}

function noteStates(actor: AnyActorRef, into: ReplayResult): void {
  for (const node of (actor.getSnapshot() as { _nodes: AnyStateNode[] })._nodes) into.stateIds.add(node.id);
}

async function step<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
  run: LiveRun<TMachine>,
  event: EventObject,
  expected: Snap<TMachine>,
  into: ReplayResult,
): Promise<void> {
  if (isActorOutcome(event)) run.scripted.settle(event);
  else run.actor.send(event as never);
  await settled();
  noteStates(run.actor, into);
  const actual = model.serialize(run.actor.getSnapshot() as Snap<TMachine>);
  const wanted = model.serialize(expected);
  if (actual !== wanted) {
    throw new Error(`after ${serializeEvent(event)}: live actor is ${actual}, model says ${wanted}`);
  }
}

/**
 * Replays a path of the model against a live actor: scripted actors resolve or reject when the path
 * says so, outside events are sent, and after every step the live snapshot must equal the model's.
 * Returns the live actor's persisted snapshot at the end of the path (JSON round-tripped).
 */
export async function replay<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
  steps: Array<{ event: EventObject; state: Snap<TMachine> }>,
  into: ReplayResult,
): Promise<unknown> {
  const run = startLive(model, into);
  try {
    for (const { event, state } of steps) {
      if (event.type === "xstate.init") continue;
      await step(model, run, event, state, into);
    }
    return JSON.parse(JSON.stringify(run.actor.getPersistedSnapshot()));
  } finally {
    run.actor.stop();
  }
}

/** Every state node id and every transition definition of a machine, to measure coverage against. */
export function machineInventory(machine: AnyStateMachine): {
  stateIds: string[];
  transitions: AnyTransitionDefinition[];
} {
  const stateIds: string[] = [];
  const transitions: AnyTransitionDefinition[] = [];
  const walk = (node: AnyStateNode) => {
    stateIds.push(node.id);
    for (const definitions of node.transitions.values()) transitions.push(...definitions);
    transitions.push(...(node.always ?? []));
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return { stateIds, transitions };
}

export interface Coverage {
  states: { reached: number; total: number; missing: string[] };
  transitions: { reached: number; total: number; missing: string[] };
}

export function describeTransition(transition: AnyTransitionDefinition): string {
  const targets = (transition.target ?? []).map((node: AnyStateNode) => node.id).join(",") || "(self)";
  return `${transition.source.id} --${transition.eventType || "always"}--> ${targets}`;
}

/** Whether the event enables any transition (an event nothing handles is not an edge worth replaying). */
function takesTransition(machine: AnyStateMachine, snapshot: unknown, event: EventObject): boolean {
  return machine.getTransitionData(snapshot as never, event as never).length > 0;
}

async function checkVariant<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
  result: ReplayResult,
): Promise<{ paths: number; edges: number }> {
  const graph = exploreModel(model);
  const persisted = new Map<string, unknown>();
  for (const [key, path] of graph.paths) persisted.set(key, await replay(model, path.steps, result));

  let edges = 0;
  for (const edge of graph.edges) {
    if (!takesTransition(model.machine, edge.state, edge.event)) continue;
    const source = persisted.get(model.serialize(edge.state));
    if (!source) throw new Error(`no path to ${model.serialize(edge.state)}`);
    const run = startLive(model, result, source);
    try {
      await step(model, run, edge.event, edge.nextState, result);
    } finally {
      run.actor.stop();
    }
    edges += 1;
  }
  return { paths: graph.paths.size, edges };
}

/**
 * Explores the model and checks it against the real machine: the shortest path to every state is
 * replayed against a live actor; then every edge of the model (state, event → next state) is taken
 * by an actor restored from the persisted snapshot (JSON round-trip) at the edge's source state.
 * Reports which states and transitions of the machine were reached.
 */
export async function checkModel<TMachine extends AnyStateMachine>(
  model: MachineModel<TMachine>,
): Promise<{ coverage: Coverage; paths: number; edges: number }> {
  const result: ReplayResult = { stateIds: new Set(), transitions: new Set() };
  let paths = 0;
  let edges = 0;
  for (const input of [model.input, ...(model.otherInputs ?? [])]) {
    const variant = { ...model, input };
    const checked = await checkVariant(variant, result);
    paths += checked.paths;
    edges += checked.edges;
  }
  const inventory = machineInventory(model.machine);
  const missingStates = inventory.stateIds.filter((id) => !result.stateIds.has(id));
  const missingTransitions = inventory.transitions.filter(
    (transition) => !result.transitions.has(transitionKey(transition)),
  );
  return {
    paths,
    edges,
    coverage: {
      states: {
        reached: inventory.stateIds.length - missingStates.length,
        total: inventory.stateIds.length,
        missing: missingStates,
      },
      transitions: {
        reached: inventory.transitions.length - missingTransitions.length,
        total: inventory.transitions.length,
        missing: missingTransitions.map(describeTransition),
      },
    },
  };
}
