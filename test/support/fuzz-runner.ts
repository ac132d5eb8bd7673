import fc from "fast-check";
import { expect } from "vitest";
import {
  type Actor,
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  createActor,
  type EventObject,
  type InputFrom,
  SimulatedClock,
  type SnapshotFrom,
} from "xstate";
import { RecordedActors, settled } from "./recorded-actors.js";
import { declaredStateIds, machineActors, transientStateIds, treeProblems } from "./state-validity.js";

/** What a scripted effect may do: resolve (with a value computed from its input and the clock) or reject. */
export type FuzzOutcome =
  | { label: string; done: (input: unknown, now: number) => unknown }
  | { label: string; error: unknown };

/** The simulated world one run plays in. */
export interface FuzzWorld {
  recorded: RecordedActors;
  clock: SimulatedClock;
}

/**
 * A machine's invariant: throws (an `expect` failure or an Error) when `snapshot` breaks it.
 * `previous` is the same actor's snapshot after the command before, if it existed then.
 */
export type Invariant = (
  snapshot: AnyMachineSnapshot,
  previous: AnyMachineSnapshot | undefined,
  world: FuzzWorld,
  self: AnyActorRef,
) => void;

export interface FuzzTarget<TMachine extends AnyStateMachine> {
  /** The machine with every effect scripted through `world.recorded` and every wait on `world.clock`. */
  build(world: FuzzWorld): TMachine;
  input: InputFrom<TMachine>;
  /** Results each scripted effect may give, by src. */
  outcomes: Record<string, FuzzOutcome[]>;
  /** Events from outside the machine may receive in a given snapshot. */
  events(snapshot: SnapshotFrom<TMachine>): EventObject[];
  /**
   * Events sent only by a rare command (e.g. a shutdown, which ends a run): as ordinary events they
   * would be most of what some states handle, and runs would rarely get deep.
   */
  rare?: (event: EventObject) => boolean;
  /** Called just before an event is sent, with the snapshot it meets (to note what it does to the world). */
  onSend?: (event: EventObject, before: SnapshotFrom<TMachine>, world: FuzzWorld) => void;
  /** Invariants by machine id (`lease`, `treasury` …), checked on every machine actor of the tree. */
  invariants: Record<string, Invariant>;
  /** How far a tick may move the clock, in ms. */
  ticks: number[];
  /** Clock time the runs start at. */
  startAt: number;
  /**
   * Persisted snapshots (JSON) a run may start from instead of the initial state, so that runs
   * reach deep states (a healthy lease, a running agent) within their few commands.
   */
  seeds?: Array<{ label: string; snapshot: unknown }>;
}

interface Real<TMachine extends AnyStateMachine> {
  target: FuzzTarget<TMachine>;
  actor: Actor<TMachine>;
  world: FuzzWorld;
  errors: unknown[];
  previous: Map<string, AnyMachineSnapshot>;
  log: string[];
  reached: FuzzReport["reached"];
}

type Model = Record<string, never>;

function check<TMachine extends AnyStateMachine>(real: Real<TMachine>, after: string): void {
  real.log.push(after);
  const fail = (problem: string): never => {
    throw new Error(`${problem}\n  after: ${real.log.join("\n         ")}`);
  };
  if (real.errors.length > 0) fail(`the actor failed: ${String(real.errors[0])}`);
  const problems = treeProblems(real.actor, "root");
  if (problems.length > 0) fail(problems.join("; "));
  for (const view of machineActors(real.actor, "root")) {
    const invariant = real.target.invariants[view.machine.id];
    const sessionId = view.ref.sessionId;
    try {
      invariant?.(view.snapshot, real.previous.get(sessionId), real.world, view.ref);
    } catch (error) {
      fail(`${view.path} (${JSON.stringify(view.snapshot.value)}): ${(error as Error).message}`);
    }
    real.previous.set(sessionId, view.snapshot);
    const reached = real.reached.get(view.machine.id) ?? new Set<string>();
    for (const node of view.snapshot._nodes) reached.add(node.id);
    real.reached.set(view.machine.id, reached);
  }
}

class SendEvent<TMachine extends AnyStateMachine> implements fc.AsyncCommand<Model, Real<TMachine>> {
  constructor(
    private readonly pick: number,
    /** Pick among the events the actor's current state handles (else among all listed). */
    private readonly handled: boolean,
    /** Pick among the target's rare events only. */
    private readonly rare: boolean,
  ) {}
  check = () => true;
  async run(_model: Model, real: Real<TMachine>): Promise<void> {
    const snapshot: AnyMachineSnapshot = real.actor.getSnapshot();
    // A finished actor takes no events (XState would only warn).
    const isRare = real.target.rare ?? (() => false);
    const listed = (
      snapshot.status === "active" ? real.target.events(snapshot as SnapshotFrom<TMachine>) : []
    ).filter((event) => isRare(event) === this.rare);
    const handled = listed.filter((event) => snapshot.can(event as never));
    const events = this.handled && handled.length > 0 ? handled : listed;
    const event = events[this.pick % Math.max(1, events.length)];
    const done = event ? `send ${JSON.stringify(event)}` : `send (no ${this.rare ? "rare " : ""}event)`;
    if (event) {
      real.target.onSend?.(event, snapshot as SnapshotFrom<TMachine>, real.world);
      real.actor.send(event as never);
    }
    await settled();
    check(real, done);
  }
  // Abstract on purpose: a command object is re-run while shrinking; the concrete trace is in the error.
  toString = () => `send #${this.pick}${this.rare ? " (rare)" : this.handled ? " (handled)" : ""}`;
}

class SettleEffect<TMachine extends AnyStateMachine> implements fc.AsyncCommand<Model, Real<TMachine>> {
  constructor(
    private readonly pick: number,
    private readonly outcomePick: number,
  ) {}
  check = () => true;
  async run(_model: Model, real: Real<TMachine>): Promise<void> {
    const running = real.world.recorded.running(true);
    const invocation = running[this.pick % Math.max(1, running.length)];
    let done = "settle (nothing running)";
    if (invocation) {
      const outcomes = real.target.outcomes[invocation.src];
      if (!outcomes || outcomes.length === 0) throw new Error(`no outcomes listed for ${invocation.src}`);
      const outcome = outcomes[this.outcomePick % outcomes.length]!;
      done = `${invocation.src} → ${outcome.label}`;
      real.world.recorded.settle(
        invocation,
        "done" in outcome
          ? { done: outcome.done(invocation.input, real.world.clock.now()) }
          : { error: outcome.error },
      );
    }
    await settled();
    check(real, done);
  }
  toString = () => `settle #${this.pick}/${this.outcomePick}`;
}

class Tick<TMachine extends AnyStateMachine> implements fc.AsyncCommand<Model, Real<TMachine>> {
  constructor(private readonly ms: number) {}
  check = () => true;
  async run(_model: Model, real: Real<TMachine>): Promise<void> {
    real.world.clock.increment(this.ms);
    await settled();
    check(real, `tick ${this.ms} ms`);
  }
  toString = () => `tick ${this.ms} ms`;
}

export interface FuzzReport {
  /** State node ids reached in any run, by machine id. */
  reached: Map<string, Set<string>>;
  commands: number;
}

/**
 * The runs' seed. The suite uses a fixed one so that the states the runs reach (which the tests
 * assert) are the same every time: with a new seed per run, a rarely reached state was missed now and
 * then and failed CI (issue 19's hunt). `FUZZ_SEED=random` (or a number) explores other runs.
 */
const FIXED_FUZZ_SEED = 20261203;
function fuzzSeed(): { seed?: number } {
  const chosen = process.env.FUZZ_SEED;
  if (chosen === "random") return {};
  return { seed: chosen === undefined ? FIXED_FUZZ_SEED : Number(chosen) };
}

export interface FuzzOptions {
  numRuns: number;
  maxCommands: number;
}

/**
 * Random runs of a machine with fast-check's `commands`: each command sends one of the events the
 * target lists, settles one running effect with one of its outcomes, or moves the simulated clock.
 * After every command: the actor did not fail, every machine actor of the tree is active or done
 * in a state its machine declares (and not in a transient one), and every invariant holds.
 * Counterexamples are shrunk and reported with the commands that led to them.
 */
export async function fuzzMachine<TMachine extends AnyStateMachine>(
  target: FuzzTarget<TMachine>,
  options: FuzzOptions,
): Promise<FuzzReport> {
  const report: FuzzReport = { reached: new Map(), commands: 0 };
  const seeds = target.seeds ?? [];
  const command = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.nat(), fc.boolean())
        .map(([pick, handled]) => new SendEvent<TMachine>(pick, handled, false)),
    },
    { weight: 1, arbitrary: fc.nat().map((pick) => new SendEvent<TMachine>(pick, false, true)) },
    {
      weight: 12,
      // Effects succeed half the time (each target lists success first), so runs get deep.
      arbitrary: fc
        .tuple(fc.nat(), fc.oneof(fc.constant(0), fc.nat()))
        .map(([pick, outcome]) => new SettleEffect<TMachine>(pick, outcome)),
    },
    { weight: 3, arbitrary: fc.constantFrom(...target.ticks).map((ms) => new Tick<TMachine>(ms)) },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: seeds.length }),
      fc.commands([command], { maxCommands: options.maxCommands, size: "max" }),
      async (seedPick, commands) => {
        const seed = seeds[seedPick - 1];
        const clock = new SimulatedClock();
        clock.set(target.startAt);
        const world: FuzzWorld = { recorded: new RecordedActors(), clock };
        const errors: unknown[] = [];
        const actor = createActor(target.build(world), {
          input: target.input,
          clock,
          ...(seed ? { snapshot: seed.snapshot } : {}),
        } as never) as Actor<TMachine>;
        actor.subscribe({ error: (error) => errors.push(error) });
        const real: Real<TMachine> = {
          target,
          actor,
          world,
          errors,
          previous: new Map(),
          log: [],
          reached: report.reached,
        };
        try {
          actor.start();
          await settled();
          check(real, seed ? `start from ${seed.label}` : "start");
          await fc.asyncModelRun(() => ({ model: {}, real }), commands);
        } finally {
          report.commands += real.log.length - 1;
          actor.stop();
        }
      },
    ),
    // FUZZ_RUNS=5000 npx vitest run test/machines/properties: a longer soak than CI's default.
    { numRuns: Number(process.env.FUZZ_RUNS ?? options.numRuns), ...fuzzSeed() },
  );
  return report;
}

/** The states of `machine` a settled snapshot can show: its declared states less the transient ones. */
function restingStateIds(machine: AnyStateMachine): Set<string> {
  const transient = transientStateIds(machine);
  return new Set([...declaredStateIds(machine)].filter((id) => !transient.has(id)));
}

function expectReached(report: FuzzReport, machine: AnyStateMachine, required: readonly string[]): void {
  const reached = report.reached.get(machine.id) ?? new Set<string>();
  const missed = required.filter((id) => !reached.has(id));
  expect(missed, `${machine.id}: states no run reached in ${report.commands} commands`).toEqual([]);
}

function expectRestingStates(machine: AnyStateMachine, ids: readonly string[], what: string): void {
  const resting = restingStateIds(machine);
  expect(
    ids.filter((id) => !resting.has(id)),
    `${what}, but not resting states of ${machine.id}`,
  ).toEqual([]);
}

/**
 * Asserts that the runs explored `machine`: every resting state (transient ones are left within the
 * step that enters them, so no settled snapshot shows them) was reached in at least one run, except
 * those in `mayMiss`, each with the reason runs of this size reach it only sometimes or never.
 * A generator that stops exploring (settles no effect, never moves the clock, sends no event) leaves
 * states it used to reach unreached, and the test fails naming them.
 */
export function expectToReachAllBut(
  report: FuzzReport,
  machine: AnyStateMachine,
  mayMiss: Readonly<Record<string, string>> = {},
): void {
  expectRestingStates(machine, Object.keys(mayMiss), "listed as states the runs may miss");
  expectReached(
    report,
    machine,
    [...restingStateIds(machine)].filter((id) => !(id in mayMiss)),
  );
}

/** Asserts that the runs reached at least each of `states` of `machine` (a named minimum). */
export function expectToReachAtLeast(
  report: FuzzReport,
  machine: AnyStateMachine,
  states: readonly string[],
): void {
  expectRestingStates(machine, states, "listed as states the runs must reach");
  expectReached(report, machine, states);
}
