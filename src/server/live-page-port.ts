import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { InspectionEvent } from "xstate";

/**
 * The live statechart page (DESIGN §9), built in src/live: the server mounts it when given one.
 * This is the shape the server relies on; the live page's `createLivePage` returns it.
 */
export interface LivePage {
  /** Serves GET / (text/html) and its assets; returns false if the request is not its own. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes the WebSocket upgrade on /live; returns false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Feed of the agent system's inspection events (pass to startAgentRuntime's `inspect`). */
  inspect(event: InspectionEvent): void;
  close(): Promise<void>;
}
