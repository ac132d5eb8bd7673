import { existsSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { relayUriOf } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import { AgentRelay, RELAY_EVENTS_FILE } from "../services/relay/index.js";
import type { Leadership } from "../services/store/index.js";

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
}): Promise<AgentRelay | null> {
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
  return relay;
}

/** Hands a WebSocket upgrade on `/` to the relay; anything else is answered 404. */
export function relayUpgrade(relay: AgentRelay) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const websocket = req.headers.upgrade?.toLowerCase() === "websocket";
    if (websocket && (req.url ?? "/").split("?")[0] === "/") {
      relay.handleUpgrade(req, socket, head);
      return;
    }
    socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  };
}
