import { existsSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { Event } from "nostr-tools/pure";
import { relayUriOf } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import { AgentRelay, RELAY_EVENTS_FILE } from "../services/relay/index.js";
import type { Leadership } from "../services/store/index.js";

/** A relay that moved: the WebSocket upgrade handler it gives the instance's HTTP server, its imports, its close. */
export interface MovedRelay {
  /** Hands a WebSocket upgrade on `/` to the relay; anything else is answered 404. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Stores events copied from elsewhere (a standby following the new leader's relay). */
  importEvents(events: readonly Event[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * The relay of an instance that no longer acts (it handed over, stands by, or was superseded), opened
 * again after a restart: it serves reads of its events and refuses writes, saying where the relay
 * moved, as the agent's process does from the handover on. The next leader copies these events when it
 * takes over (a standby restarted at that moment would otherwise leave them behind). Null when this
 * instance never held a relay.
 */
export async function openMovedRelay(o: {
  dataDir: string;
  relay: { hostname: string; name: string };
  /** The agent's Nostr public key (hex), the NIP-11 contact; the manifest's AGENT_NOSTR_PUBKEY. */
  pubkey: string;
  leadership: Leadership;
  logger: Logger;
}): Promise<MovedRelay | null> {
  if (!existsSync(join(o.dataDir, RELAY_EVENTS_FILE))) return null;
  const relay = await AgentRelay.open({
    dataDir: o.dataDir,
    hostname: o.relay.hostname,
    name: o.relay.name,
    pubkey: o.pubkey,
    onError: (message) => o.logger.warn({ relay: message }, "relay error"),
  });
  const { leader, generation } = o.leadership;
  relay.refuseWrites(
    leader
      ? `this relay moved to ${relayUriOf([leader.uri]) ?? leader.uri} (generation ${generation})`
      : `this instance ${o.leadership.state} (generation ${generation}) and takes no events`,
  );
  return {
    upgrade(req, socket, head) {
      const websocket = req.headers.upgrade?.toLowerCase() === "websocket";
      if (websocket && (req.url ?? "/").split("?")[0] === "/") {
        relay.handleUpgrade(req, socket, head);
        return;
      }
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    },
    importEvents: (events) => relay.importEvents(events),
    close: () => relay.close(),
  };
}
