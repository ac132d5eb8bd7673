import type { InspectionEvent } from "xstate";
import type { Logger } from "../logging/index.js";
import { stateName } from "./lease-view.js";

/** Actors whose state changes are routine polling: logged at debug level. */
const ROUTINE = new Set(["health", "treasury", "siblingWatch"]);

/** Logs every state change of every machine in the agent's actor tree, as it happens. */
export function createProgressReporter(logger: Logger): (event: InspectionEvent) => void {
  const last = new Map<string, string>();
  return (event) => {
    if (event.type !== "@xstate.snapshot") return;
    const snapshot = event.snapshot as { value?: unknown; status?: string };
    if (snapshot.value === undefined) return;
    const name = stateName(snapshot.value as never);
    const id = (event.actorRef as { id?: string }).id || "agent";
    if (last.get(id) === name) return;
    last.set(id, name);
    const line = { actor: id, state: name };
    if (ROUTINE.has(id)) logger.debug(line, `${id} → ${name}`);
    else logger.info(line, `${id} → ${name}`);
  };
}
