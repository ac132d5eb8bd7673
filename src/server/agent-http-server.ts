import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { LivePage } from "../live/live-page.js";
import type { Logger } from "../logging/index.js";
import { type AgentRelay, NIP11_MEDIA_TYPE } from "../services/relay/index.js";
import type { ActivationRecordRoute } from "./activation-record-route.js";
import { ADMIN_ACTIONS, type AdminAction, type AdminApi } from "./admin-api.js";
import type { AgentMetrics } from "./agent-metrics.js";
import { sendError, sendJson, sendText } from "./json-response.js";
import { nip98RequestOf, verifyNip98 } from "./nip98-auth.js";
import type { SeenAuthEvents } from "./seen-auth-events.js";

/** Largest admin request body read. */
const MAX_BODY_BYTES = 64 * 1024;

export interface AgentHttpServerOptions {
  host: string;
  port: number;
  relay: AgentRelay;
  metrics: AgentMetrics;
  admin: AdminApi;
  seen: SeenAuthEvents;
  logger: Logger;
  /** The /api/status JSON. */
  status(): unknown;
  /** Why the agent is not ready (empty: ready). */
  notReady(): Promise<string[]>;
  livePage?: LivePage;
  /** An activated instance's read-only `/api/activation` (role deployed). */
  activation?: ActivationRecordRoute;
  now?: () => number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge(`body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const isUpgrade = (req: IncomingMessage) => req.headers.upgrade?.toLowerCase() === "websocket";
/** The request's path, or null when its target is not a URL path (`GET //` is a valid request line). */
function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? "/", "http://agent").pathname;
  } catch {
    return null;
  }
}

/**
 * The agent process's one port: the Nostr relay (WebSocket upgrade on `/`, NIP-11 on `GET /` with
 * `Accept: application/nostr+json`), the live page (other `GET /`, upgrade on `/live`), health and
 * readiness, Prometheus metrics, the status JSON and the NIP-98 admin API.
 */
export class AgentHttpServer {
  private readonly server: Server;
  private readonly now: () => number;
  private baseUrl = "";

  constructor(private readonly options: AgentHttpServerOptions) {
    this.now = options.now ?? Date.now;
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        options.logger.error({ err: error, path: req.url }, "HTTP route failed");
        if (!res.headersSent) sendError(res, 500, "internal error: see the agent's log");
        else res.destroy();
      });
    });
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** The server's base URL (http://host:port), once listening. */
  get url(): string {
    return this.baseUrl;
  }

  async listen(): Promise<string> {
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${shownHost}:${address.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(req);
    if (path === null) {
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    if (path === "/" && isUpgrade(req)) {
      this.options.relay.handleUpgrade(req, socket, head);
      return;
    }
    if (this.options.livePage?.handleUpgrade(req, socket, head)) return;
    socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const method = req.method ?? "GET";
    if (path === null) {
      sendError(
        res,
        404,
        "the request's path is not a URL path: try /api/status, /metrics, /healthz or /readyz",
      );
      return;
    }
    if (path.startsWith("/api/admin/")) return this.admin(req, res, path.slice("/api/admin/".length));
    if (this.options.activation?.handle(req, res)) return;
    if (method !== "GET" && method !== "HEAD") {
      sendError(res, 405, `${method} ${path} is not served: use GET`);
      return;
    }
    switch (path) {
      case "/healthz":
        sendJson(res, 200, { ok: true });
        return;
      case "/readyz": {
        const reasons = await this.options.notReady();
        sendJson(res, reasons.length === 0 ? 200 : 503, { ready: reasons.length === 0, reasons });
        return;
      }
      case "/metrics": {
        const { contentType, body } = await this.options.metrics.render();
        sendText(res, 200, body, contentType);
        return;
      }
      case "/api/status":
        sendJson(res, 200, this.options.status());
        return;
    }
    if (path === "/" && req.headers.accept?.includes(NIP11_MEDIA_TYPE)) {
      const text = JSON.stringify(this.options.relay.nip11);
      res.writeHead(200, {
        "content-type": NIP11_MEDIA_TYPE,
        "content-length": Buffer.byteLength(text),
        "access-control-allow-origin": "*",
      });
      res.end(text);
      return;
    }
    if (this.options.livePage?.handleRequest(req, res)) return;
    if (path === "/") {
      sendText(
        res,
        200,
        `akash-agent: a Nostr relay (connect a Nostr client to ws://${req.headers.host ?? "this host"}/) and its agent.\nStatus: GET /api/status   Metrics: GET /metrics   Health: GET /healthz, /readyz\n`,
      );
      return;
    }
    sendError(res, 404, `nothing at ${path}: try /api/status, /metrics, /healthz or /readyz`);
  }

  private async admin(req: IncomingMessage, res: ServerResponse, action: string): Promise<void> {
    if (!(ADMIN_ACTIONS as readonly string[]).includes(action)) {
      sendError(res, 404, `no admin action ${action}: use one of ${ADMIN_ACTIONS.join(", ")}`);
      return;
    }
    if (req.method !== "POST") {
      sendError(res, 405, `admin actions take POST, not ${req.method}`);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      sendError(
        res,
        error instanceof BodyTooLarge ? 413 : 400,
        `cannot read the body: ${(error as Error).message}`,
      );
      return;
    }
    const now = this.now();
    const { admin, seen, logger } = this.options;
    const auth = verifyNip98(nip98RequestOf(req, body), admin.allowed, now);
    if (!auth.ok) {
      logger.warn({ action, status: auth.status, reason: auth.error }, "admin call refused");
      sendError(res, auth.status, auth.error);
      return;
    }
    if (!seen.accept(auth.eventId, auth.expiresAt, now)) {
      logger.warn({ action }, "admin call refused: replayed NIP-98 event");
      sendError(res, 401, "this NIP-98 event was used already: sign a new one per request");
      return;
    }
    let json: unknown = {};
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        sendError(res, 400, "the body is not JSON");
        return;
      }
    }
    const result = await admin.run(action as AdminAction, json);
    if (result.status === 200) sendJson(res, 200, result.body);
    else sendError(res, result.status, result.error);
  }
}
