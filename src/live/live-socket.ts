import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../logging/index.js";
import type { InspectFrameFeed } from "./inspect-frames.js";

/** A browser that cannot keep up is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface LiveSocket {
  /** Completes a WebSocket upgrade already known to be for this socket's path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly clients: number;
  close(): Promise<void>;
}

/**
 * The `/live` WebSocket (ws, noServer): on connect a browser gets the replay of the current state,
 * then every frame as it happens. Frames are one-way; what a browser sends is ignored.
 */
export function createLiveSocket(feed: InspectFrameFeed, logger: Logger): LiveSocket {
  const server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const send = (client: WebSocket, frame: string) => {
    if (client.readyState !== client.OPEN) return;
    if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
      logger.warn("a live page viewer fell too far behind: closing its socket");
      client.terminate();
      return;
    }
    client.send(frame);
  };
  const unsubscribe = feed.subscribe((frame) => {
    for (const client of server.clients) send(client, frame);
  });
  server.on("connection", (client) => {
    client.on("error", (error) => logger.debug({ err: error }, "live page socket error"));
    for (const frame of feed.replay()) send(client, frame);
  });
  return {
    upgrade(req, socket, head) {
      server.handleUpgrade(req, socket, head, (client) => server.emit("connection", client, req));
    },
    get clients() {
      return server.clients.size;
    },
    close() {
      unsubscribe();
      for (const client of server.clients) client.terminate();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
