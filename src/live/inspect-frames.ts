import { createInspector, type StatelyInspectionEvent } from "@statelyai/inspect";
import { configure } from "safe-stable-stringify";
import type { InspectionEvent } from "xstate";
import type { Redactor } from "../logging/index.js";

/** @statelyai/inspect's WebSocket adapter writes each frame with safe-stable-stringify at this depth. */
const SERIALIZATION_DEPTH = 10;
const stringify = configure({ maximumDepth: SERIALIZATION_DEPTH });

/** How many of the latest `@xstate.event` frames a browser that connects late is given. */
const RECENT_EVENTS_REPLAYED = 50;

export interface InspectFrameFeed {
  /** Pass every inspection event of the agent's system here. */
  inspect(event: InspectionEvent): void;
  /**
   * What a browser that connects now needs to draw the current state: the latest `@xstate.actor`
   * frame of every live actor, the last few `@xstate.event` frames, then each actor's latest
   * `@xstate.snapshot`, in that order.
   */
  replay(): string[];
  /** Receives every frame as sent on the wire (redacted JSON text); returns the unsubscribe. */
  subscribe(listener: (frame: string) => void): () => void;
}

interface CachedActor {
  actorFrame: string;
  snapshotFrame: string | null;
  machine: boolean;
}

/**
 * Turns XState inspection events into the frames @statelyai/inspect's WebSocket inspector sends
 * (its own `createInspector` converts them, so the shapes are the library's), then redacts each
 * frame: secret-named properties censored, known secrets, mnemonic-like word runs and nsecs
 * scrubbed from every string, exactly as the logger does.
 */
export function createInspectFrameFeed(redactor: Redactor): InspectFrameFeed {
  const listeners = new Set<(frame: string) => void>();
  const actors = new Map<string, CachedActor>();
  const machineSessions = new Set<string>();
  const recentEvents: string[] = [];

  // An actor's definition is the machine config as JSON text (static context included): it is
  // parsed and censored like the rest of the frame, then written back the way the library wrote it.
  const redactDefinition = (definition: string): string => {
    try {
      return stringify(redactor.value(JSON.parse(definition) as unknown)) ?? "null";
    } catch {
      return redactor.text(definition);
    }
  };

  const toWire = (event: StatelyInspectionEvent): string => {
    const frame = redactor.value(JSON.parse(stringify(event) ?? "null") as Record<string, unknown>);
    if (typeof frame.definition === "string") frame.definition = redactDefinition(frame.definition);
    return JSON.stringify(frame);
  };

  const remember = (event: StatelyInspectionEvent, frame: string) => {
    if (event.type === "@xstate.actor") {
      actors.set(event.sessionId, {
        actorFrame: frame,
        snapshotFrame: null,
        machine: machineSessions.has(event.sessionId),
      });
      return;
    }
    if (event.type === "@xstate.event") {
      recentEvents.push(frame);
      if (recentEvents.length > RECENT_EVENTS_REPLAYED) recentEvents.shift();
      return;
    }
    const cached = actors.get(event.sessionId);
    if (!cached) return;
    const status = (event.snapshot as { status?: unknown }).status;
    // A machine that finished keeps its last state on the page; anything stopped is gone.
    if (status === "stopped" || (status !== "active" && !cached.machine)) {
      actors.delete(event.sessionId);
      machineSessions.delete(event.sessionId);
      return;
    }
    cached.snapshotFrame = frame;
  };

  const inspector = createInspector({
    send(event) {
      const frame = toWire(event);
      remember(event, frame);
      for (const listener of listeners) listener(frame);
    },
  });

  return {
    inspect(event) {
      if (event.type === "@xstate.actor") {
        const logic = (event.actorRef as { logic?: { config?: { states?: unknown } } }).logic;
        if (logic?.config?.states) machineSessions.add(event.actorRef.sessionId);
      }
      inspector.inspect.next?.(event);
    },
    replay() {
      const cached = [...actors.values()];
      return [
        ...cached.map((actor) => actor.actorFrame),
        ...recentEvents,
        ...cached.flatMap((actor) => (actor.snapshotFrame ? [actor.snapshotFrame] : [])),
      ];
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
