import net from "node:net";
import tls from "node:tls";
import WebSocket from "ws";
import type { Logger } from "../../logging/index.js";
import { describeTransportError } from "./chain-failures.js";

const SUBSCRIPTION_ID = "akash-agent-blocks";
const NEW_BLOCK_HEADER = "tm.event='NewBlockHeader'";

/** After the subscription is lost, it is opened again no sooner than this. */
const REOPEN_AFTER_MS = 5_000;
/** Fallback waits in a row without a block before the subscription is opened again. */
const MISSES_BEFORE_RECONNECT = 3;

export interface BlockWatchOptions {
  /** The CometBFT RPC URL (`http(s)://host:port`); the WebSocket is `ws(s)://host:port/websocket` on it. */
  readonly rpc: string;
  readonly logger?: Logger;
}

/**
 * The next block, as CometBFT announces it over its WebSocket (JSON-RPC `subscribe` to
 * `tm.event='NewBlockHeader'` over the `ws` client), so that a tx, a bid or a lease is looked at in the block it lands in rather than at
 * the next poll. The subscription is a speed-up, never a dependency: a wait also ends after its
 * fallback time (a fast poll) when no block is announced — the socket is down, the node serves no
 * WebSocket, or the block is slow — and the subscription is opened again after a few such misses.
 *
 * Not cosmjs' WebsocketClient: its ReconnectingSocket (0.36) schedules a reconnect when it is
 * disconnected, so a closed client reconnects and keeps the process alive (`run --until` never exits).
 */
export class BlockWatch {
  private socket: WebSocket | null = null;
  private waiters = new Set<() => void>();
  private misses = 0;
  private closed = false;
  private latest: number | null = null;
  private reopenAt = 0;

  constructor(private readonly options: BlockWatchOptions) {}

  /** The newest height announced over the subscription, or null before the first. */
  get lastHeight(): number | null {
    return this.latest;
  }

  /**
   * Resolves at the next announced block, or after `fallbackMs` (or when `signal` aborts), whichever
   * comes first. Opens the subscription on first use.
   */
  nextBlock(fallbackMs: number, signal?: AbortSignal): Promise<void> {
    if (!this.socket && !this.closed && Date.now() >= this.reopenAt) this.open();
    return new Promise((resolve) => {
      const done = (missed: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        this.waiters.delete(wake);
        if (missed) this.noteMiss();
        resolve();
      };
      const wake = () => done(false);
      const aborted = () => done(false);
      const timer = setTimeout(() => done(true), fallbackMs);
      this.waiters.add(wake);
      signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  close(): void {
    this.closed = true;
    this.drop();
    for (const wake of [...this.waiters]) wake();
  }

  private open(): void {
    const base = websocketBase(this.options.rpc);
    if (!base) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(`${base}/websocket`, { createConnection: unreferencedConnection(base) });
    } catch (error) {
      this.lost(error);
      return;
    }
    this.socket = socket;
    // A lost or refused subscription only leaves the fallback polls; it is opened again after misses.
    const lost = (error: unknown) => {
      if (this.socket === socket) this.lost(error);
    };
    socket.on("error", lost);
    socket.on("close", () => lost(new Error("the node closed the WebSocket")));
    socket.on("open", () => {
      socket.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: SUBSCRIPTION_ID,
          method: "subscribe",
          params: { query: NEW_BLOCK_HEADER },
        }),
      );
    });
    socket.on("message", (data) => {
      const height = announcedHeight(data.toString());
      if (height === "refused") lost(new Error("the node refused the block subscription"));
      else if (height !== null) this.announce(height);
    });
  }

  private announce(height: number): void {
    if (this.latest !== null && height <= this.latest) return;
    this.latest = height;
    this.misses = 0;
    for (const wake of [...this.waiters]) wake();
  }

  private noteMiss(): void {
    this.misses += 1;
    if (this.misses < MISSES_BEFORE_RECONNECT || this.closed) return;
    this.misses = 0;
    this.drop();
  }

  private lost(error: unknown): void {
    if (this.closed || !this.socket) return;
    this.options.logger?.debug(
      { reason: describeTransportError(error) },
      "block subscription lost: looking for blocks by polling until it is open again",
    );
    this.drop();
  }

  private drop(): void {
    this.reopenAt = Date.now() + REOPEN_AFTER_MS;
    const socket = this.socket;
    this.socket = null;
    socket?.removeAllListeners();
    // An error after this point (the socket still connecting) has nobody to tell.
    socket?.on("error", () => undefined);
    socket?.terminate();
  }
}

/**
 * The height a subscription message announces; "refused" for an error answer to the subscription;
 * null for anything else (the subscription's empty acknowledgement, other ids).
 */
export function announcedHeight(text: string): number | "refused" | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof message !== "object" || message === null) return null;
  const { id, error, result } = message as { id?: unknown; error?: unknown; result?: unknown };
  if (id !== SUBSCRIPTION_ID) return null;
  if (error !== undefined) return "refused";
  const height = (result as { data?: { value?: { header?: { height?: unknown } } } } | undefined)?.data?.value
    ?.header?.height;
  const parsed = typeof height === "string" || typeof height === "number" ? Number(height) : Number.NaN;
  return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : null;
}

/**
 * Connections that do not keep the process alive: the subscription is a speed-up, and a process
 * that is done (`run --until`) exits even if a chain client was not closed.
 */
function unreferencedConnection(base: string): typeof net.createConnection {
  const secure = base.startsWith("wss://");
  const connect = (options: net.NetConnectOpts & tls.ConnectionOptions) => {
    const host = options.host ?? "";
    const socket = secure
      ? tls.connect({ ...options, servername: options.servername ?? (net.isIP(host) ? "" : host) })
      : net.connect(options);
    socket.unref();
    return socket;
  };
  return connect as typeof net.createConnection;
}

/** `ws(s)://host:port` for an `http(s)://host:port[/]` RPC URL, or null for any other scheme. */
export function websocketBase(rpc: string): string | null {
  const url = rpc.replace(/\/+$/, "");
  if (url.startsWith("https://")) return `wss://${url.slice("https://".length)}`;
  if (url.startsWith("http://")) return `ws://${url.slice("http://".length)}`;
  if (url.startsWith("ws://") || url.startsWith("wss://")) return url.replace(/\/websocket$/, "");
  return null;
}
