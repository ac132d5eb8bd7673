import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Http2Server, Http2Session } from "node:http2";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";

export const LOOPBACK = "127.0.0.1";
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

type ListeningServer = Server | HttpsServer | Http2Server;

/** Listens on loopback (port 0 = any free port) and resolves with the bound port. */
export function listen(server: ListeningServer, port = 0, host = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Tracks open sockets/sessions so that close() can end keep-alive and HTTP/2 connections at once. */
export class ConnectionTracker {
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<Http2Session>();

  track(server: ListeningServer): void {
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("secureConnection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("session", (session: Http2Session) => {
      this.sessions.add(session);
      session.on("close", () => this.sessions.delete(session));
    });
  }

  destroyAll(): void {
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    this.sessions.clear();
    this.sockets.clear();
  }
}

export function closeServer(server: ListeningServer, tracker: ConnectionTracker): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      tracker.destroyAll();
      resolve();
      return;
    }
    server.close(() => resolve());
    tracker.destroyAll();
  });
}

/**
 * A plain-HTTP server on loopback whose connections all end at `stop()`. A handler that fails (a client
 * gone mid-request) gets a bare 500 if nothing was sent yet, never an unhandled rejection.
 */
export class LoopbackHttpServer {
  private readonly server: Server;
  private readonly tracker = new ConnectionTracker();

  constructor(handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>) {
    this.server = createServer((req, res) => {
      const fail = () => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      };
      try {
        Promise.resolve(handle(req, res)).catch(fail);
      } catch {
        fail();
      }
    });
    this.tracker.track(this.server);
  }

  /** Hands HTTP Upgrade requests (WebSocket handshakes) to `handler`. */
  onUpgrade(handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void {
    this.server.on("upgrade", handler);
  }

  /** Listens (port 0 = any free port) and resolves with the server's URL. */
  async start(port = 0): Promise<string> {
    return `http://${LOOPBACK}:${await listen(this.server, port)}`;
  }

  stop(): Promise<void> {
    return closeServer(this.server, this.tracker);
  }
}
