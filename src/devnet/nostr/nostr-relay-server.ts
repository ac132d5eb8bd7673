import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type Client, createOutgoingNoticeMessage, type Logger } from "@nostr-relay/common";
import { NostrRelay } from "@nostr-relay/core";
import type { EventRepositorySqlite } from "@nostr-relay/event-repository-sqlite";
import { type WebSocket, WebSocketServer } from "ws";
import { LOOPBACK, LoopbackHttpServer, sendText } from "../http-utils.js";
import { EventDropFault } from "./event-drop-fault.js";
import { GiftWrapGuard } from "./gift-wrap-guard.js";
import { parseIncomingMessage } from "./incoming-message.js";
import { MAX_MESSAGE_BYTES, MAX_SUBSCRIPTIONS, relayInformation } from "./relay-information.js";

const NIP11_MEDIA_TYPE = "application/nostr+json";

/** The core logs to the console by default; on the devnet only failures matter, and they go to `onError`. */
function quietLogger(onError: (message: string) => void): Logger {
  const ignore = () => {};
  return {
    setLogLevel: ignore,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message) => onError(message),
  };
}

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
    this.relay = new NostrRelay(repository, {
      hostname: LOOPBACK,
      logger: quietLogger(onError),
      maxSubscriptionsPerClient: MAX_SUBSCRIPTIONS,
      // No result caches: a query right after a write must see it (the cached defaults are 1 s and 10 min).
      filterResultCacheTtl: 0,
      eventHandlingResultCacheTtl: 0,
    });
    this.relay.register(this.drops);
    this.relay.register(new GiftWrapGuard(this.relay));
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
      const text = JSON.stringify(relayInformation());
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
    // ws's readyState and send(data, cb) are what the core's Client interface names.
    const client: Client = ws as unknown as Client;
    this.relay.handleConnection(client, req.socket.remoteAddress);
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        ws.send(JSON.stringify(createOutgoingNoticeMessage("invalid: binary frames are not Nostr messages")));
        return;
      }
      const parsed = parseIncomingMessage(data.toString());
      if (!parsed.ok) {
        ws.send(JSON.stringify(createOutgoingNoticeMessage(parsed.error)));
        return;
      }
      this.relay.handleMessage(client, parsed.message).catch((error: unknown) => {
        if (ws.readyState === ws.OPEN)
          ws.send(JSON.stringify(createOutgoingNoticeMessage(`error: ${(error as Error).message}`)));
      });
    });
    ws.on("close", () => this.relay.handleDisconnect(client));
    ws.on("error", () => ws.terminate());
  }
}
