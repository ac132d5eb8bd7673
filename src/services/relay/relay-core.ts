import type { IncomingMessage } from "node:http";
import {
  type Client,
  createOutgoingNoticeMessage,
  type Logger,
  type NostrRelayPlugin,
} from "@nostr-relay/common";
import { NostrRelay } from "@nostr-relay/core";
import type { EventRepositorySqlite } from "@nostr-relay/event-repository-sqlite";
import type { WebSocket } from "ws";
import { GiftWrapGuard } from "./gift-wrap-guard.js";
import { parseIncomingMessage } from "./incoming-message.js";

/** Subscriptions one connection may hold open. */
export const MAX_SUBSCRIPTIONS = 20;
/** Largest text frame a client may send. */
export const MAX_MESSAGE_BYTES = 512 * 1024;
/** @nostr-relay/event-repository-sqlite clamps `limit` to 10 × its default of 100. */
export const MAX_LIMIT = 1000;
export const NIP11_MEDIA_TYPE = "application/nostr+json";

/** The core logs to the console by default; only failures matter, and they go to `onError`. */
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

export interface RelayCoreOptions {
  /** The host clients put in the relay URL they sign into NIP-42 AUTH events. */
  readonly hostname: string;
  readonly onError?: (message: string) => void;
  /** Plugins that see every message before the gift-wrap guard (fault injection, traffic metering). */
  readonly plugins?: readonly NostrRelayPlugin[];
}

/**
 * A NIP-01/NIP-42 relay core (@nostr-relay/core) over an initialised SQLite repository, with kind
 * 1059 guarded by `GiftWrapGuard` (after `options.plugins`).
 */
export function createRelayCore(repository: EventRepositorySqlite, options: RelayCoreOptions): NostrRelay {
  const relay = new NostrRelay(repository, {
    hostname: options.hostname,
    logger: quietLogger(options.onError ?? (() => {})),
    maxSubscriptionsPerClient: MAX_SUBSCRIPTIONS,
    // No result caches: a query right after a write must see it (the cached defaults are 1 s and 10 min).
    filterResultCacheTtl: 0,
    eventHandlingResultCacheTtl: 0,
  });
  for (const plugin of options.plugins ?? []) relay.register(plugin);
  relay.register(new GiftWrapGuard(relay));
  return relay;
}

/**
 * Serves one WebSocket client: hands it to the core, parses each text frame (the core expects
 * validated input) and answers malformed ones with a NOTICE.
 */
export function serveRelayClient(relay: NostrRelay, ws: WebSocket, req: IncomingMessage): void {
  // ws's readyState and send(data, cb) are what the core's Client interface names.
  const client: Client = ws as unknown as Client;
  relay.handleConnection(client, req.socket.remoteAddress);
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
    relay.handleMessage(client, parsed.message).catch((error: unknown) => {
      if (ws.readyState === ws.OPEN)
        ws.send(JSON.stringify(createOutgoingNoticeMessage(`error: ${(error as Error).message}`)));
    });
  });
  ws.on("close", () => relay.handleDisconnect(client));
  ws.on("error", () => ws.terminate());
}
