import {
  type AnyActorLogic,
  type AnyActorRef,
  type AnyStateMachine,
  fromPromise,
  type PromiseActorLogic,
} from "xstate";

type AnyActorSystem = AnyActorRef["system"];

export type InvocationStatus = "running" | "done" | "error" | "stopped";

/** One start of an invoked promise actor, as the test saw it. */
export interface Invocation {
  /** Order of the start within its `RecordedActors`. */
  readonly seq: number;
  readonly src: string;
  /** The actor's id inside its parent (the invoke id). */
  readonly actorId: string;
  /** Unique per actor in the process, unlike `actorId` (two lease machines share their invoke ids). */
  readonly sessionId: string;
  /** Session ids of the actors above it, its parent first (which lease, under which reproduction …). */
  readonly ancestors: readonly string[];
  /** The input exactly as the actor received it (a restored actor receives its persisted input). */
  readonly input: unknown;
  /** Whether the test settles it (`scripted`) or it runs on its own (`automatic`). */
  readonly scripted: boolean;
  status: InvocationStatus;
  /** How it ended, once it did (not for a stopped one). */
  result?: Settlement;
}

export type Settlement = { done: unknown } | { error: unknown };

interface Deferred {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Promise actors for machine tests. Every start is recorded with its src and input. A scripted
 * actor waits until the test settles it; an automatic one runs the implementation it was given.
 * When the state that invoked an actor is left, XState stops the actor: its invocation is marked
 * `stopped` and can no longer be settled.
 */
export class RecordedActors {
  readonly invocations: Invocation[] = [];
  private readonly deferred = new Map<string, Deferred>();

  /** A promise actor whose result the test decides with `settle`. */
  scripted(src: string): PromiseActorLogic<unknown, unknown> {
    return fromPromise<unknown, unknown>(({ input, self, signal }) =>
      this.startScripted(src, self, input, signal),
    );
  }

  /** Records a scripted start and returns the promise `settle` decides (used by `scriptedBySystem`). */
  startScripted(src: string, self: AnyActorRef, input: unknown, signal: AbortSignal): Promise<unknown> {
    const invocation = this.record(src, self, input, true, signal);
    return new Promise((resolve, reject) => {
      this.deferred.set(invocation.sessionId, { resolve, reject });
    });
  }

  /** Makes the actors from `scriptedBySystem` report here for every actor of `system`. */
  bindTo(system: AnyActorSystem): this {
    recorders.set(system, this);
    return this;
  }

  /** Scripted actors for each name. */
  scriptedAll(srcs: readonly string[]): Record<string, PromiseActorLogic<unknown, unknown>> {
    return Object.fromEntries(srcs.map((src) => [src, this.scripted(src)]));
  }

  /** A promise actor that runs `run` by itself; its starts are still recorded. */
  automatic<TOutput, TInput>(
    src: string,
    run: (input: TInput, signal: AbortSignal) => Promise<TOutput>,
  ): PromiseActorLogic<TOutput, TInput> {
    return fromPromise<TOutput, TInput>(async ({ input, self, signal }) => {
      const invocation = this.record(src, self, input, false, signal);
      try {
        const output = await run(input, signal);
        if (invocation.status === "running") {
          invocation.status = "done";
          invocation.result = { done: output };
        }
        return output;
      } catch (error) {
        if (invocation.status === "running") {
          invocation.status = "error";
          invocation.result = { error };
        }
        throw error;
      }
    });
  }

  /** Invocations still running, oldest first; `scriptedOnly` leaves out the automatic ones. */
  running(scriptedOnly = false): Invocation[] {
    return this.invocations.filter(
      (invocation) => invocation.status === "running" && (!scriptedOnly || invocation.scripted),
    );
  }

  /** Resolves or rejects a running scripted invocation. */
  settle(invocation: Invocation, settlement: Settlement): void {
    const deferred = this.deferred.get(invocation.sessionId);
    if (!deferred || invocation.status !== "running") {
      throw new Error(`${invocation.src} (${invocation.actorId}) is not running: it cannot be settled`);
    }
    this.deferred.delete(invocation.sessionId);
    invocation.result = settlement;
    if ("done" in settlement) {
      invocation.status = "done";
      deferred.resolve(settlement.done);
    } else {
      invocation.status = "error";
      deferred.reject(settlement.error);
    }
  }

  private record(
    src: string,
    self: AnyActorRef,
    input: unknown,
    scripted: boolean,
    signal: AbortSignal,
  ): Invocation {
    const { sessionId } = self;
    const ancestors: string[] = [];
    for (let parent = self._parent; parent; parent = parent._parent) ancestors.push(parent.sessionId);
    const invocation: Invocation = {
      seq: this.invocations.length,
      src,
      actorId: self.id,
      sessionId,
      ancestors,
      input,
      scripted,
      status: "running",
    };
    this.invocations.push(invocation);
    signal.addEventListener(
      "abort",
      () => {
        if (invocation.status !== "running") return;
        invocation.status = "stopped";
        this.deferred.delete(sessionId);
      },
      { once: true },
    );
    return invocation;
  }
}

const recorders = new WeakMap<AnyActorSystem, RecordedActors>();

/**
 * Scripted actors that report to the `RecordedActors` bound to the running actor's system, so one
 * provided machine (`provide` rebuilds every state node, which is slow) serves many runs.
 */
export function scriptedBySystem(
  srcs: readonly string[],
): Record<string, PromiseActorLogic<unknown, unknown>> {
  return Object.fromEntries(
    srcs.map((src) => [
      src,
      fromPromise<unknown, unknown>(({ input, self, signal, system }) => {
        const recorder = recorders.get(system);
        if (!recorder) throw new Error(`no RecordedActors bound to the system running ${src}`);
        return recorder.startScripted(src, self, input, signal);
      }),
    ]),
  );
}

/** `machine.provide({ actors })` for actor maps built at run time (the typed form needs every logic's exact type). */
export function withActors<TMachine extends AnyStateMachine>(
  machine: TMachine,
  actors: Record<string, AnyActorLogic>,
): TMachine {
  return machine.provide({ actors } as never) as TMachine;
}

/** Lets every queued promise continuation and microtask run (an actor's step, the persister's write). */
export const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
