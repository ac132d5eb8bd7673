import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { NostrRelay } from "@nostr-relay/core";
import type { EventRepositorySqlite } from "@nostr-relay/event-repository-sqlite";
import { type WebSocket, WebSocketServer } from "ws";
import {
  createRelayCore,
  MAX_MESSAGE_BYTES,
  NIP11_MEDIA_TYPE,
  serveRelayClient,
} from "../../services/relay/relay-core.js";
import { relayInformation } from "../../services/relay/relay-information.js";
import { LOOPBACK, LoopbackHttpServer, sendText } from "../http-utils.js";
import { EventDropFault } from "./event-drop-fault.js";

const DEVNET_RELAY = {
  name: "akash-agent devnet relay",
  description:
    "A local Nostr relay for tests (@nostr-relay/core with SQLite); gift wraps go only to their recipient.",
};

/**
 * A NIP-01/NIP-11/NIP-42 relay on loopback: @nostr-relay/core over `ws`, events in the given SQLite
 * repository, kind 1059 guarded by `GiftWrapGuard`. NIP-42 is on (hostname 127.0.0.1, the host in the URL a
 * client signs into its AUTH event); the challenge is sent on connect.
 */
export class NostrRelayServer {
  readonly drops = new EventDropFault();
  private readonly relay: NostrRelay;
  private readonly http = new LoopbackHttpServer((req, res) => this.handleHttp(req, res));
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private port = 0;
  private listening = false;

  constructor(repository: EventRepositorySqlite, onError: (message: string) => void = () => {}) {
    this.relay = createRelayCore(repository, { hostname: LOOPBACK, onError, plugins: [this.drops] });
    this.http.onUpgrade((req, socket, head) => this.upgrade(req, socket, head));
    this.sockets.on("connection", (ws: WebSocket, req: IncomingMessage) => this.connect(ws, req));
  }

  get url(): string {
    return `ws://${LOOPBACK}:${this.port}`;
  }

  get down(): boolean {
    return !this.listening;
  }

  get connections(): number {
    return this.sockets.clients.size;
  }

  async start(port = 0): Promise<string> {
    const url = await this.http.start(port);
    this.port = Number(new URL(url).port);
    this.listening = true;
    return this.url;
  }

  /** Closes the port and drops every connection without a close frame, as a relay host that went away. */
  async setDown(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    for (const ws of this.sockets.clients) ws.terminate();
    await this.http.stop();
  }

  async setUp(): Promise<void> {
    if (this.listening || this.port === 0) return;
    await this.http.start(this.port);
    this.listening = true;
  }

  async stop(): Promise<void> {
    await this.setDown();
    this.sockets.close();
    await this.relay.destroy();
  }

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const cors = {
      "access-control-allow-origin": "*",
      "access-control-allow-headers": "*",
      "access-control-allow-methods": "GET, OPTIONS",
    };
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    if (req.method === "GET" && req.headers.accept?.includes(NIP11_MEDIA_TYPE)) {
      const text = JSON.stringify(relayInformation(DEVNET_RELAY));
      res.writeHead(200, {
        ...cors,
        "content-type": NIP11_MEDIA_TYPE,
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    sendText(res, 200, `This is a Nostr relay: connect to ${this.url} with a Nostr client.\n`);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.sockets.emit("connection", ws, req));
  }

  private connect(ws: WebSocket, req: IncomingMessage): void {
    serveRelayClient(this.relay, ws, req);
  }
}
