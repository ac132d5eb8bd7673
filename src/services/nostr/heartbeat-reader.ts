import { decode } from "nostr-tools/nip19";
import type { Event } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import {
  HEARTBEAT_D_TAG,
  HEARTBEAT_KIND,
  parseHeartbeat,
  type ReceivedHeartbeat,
} from "./heartbeat-event.js";

useWebSocketImplementation(WebSocket);

export class HeartbeatReaderError extends Error {
  override readonly name = "HeartbeatReaderError";
}

/** The hex public key of an npub (or of 64 hex characters), with an error that names the flag. */
export function memberPubkey(npubOrHex: string, field = "--npub"): string {
  if (/^[0-9a-f]{64}$/.test(npubOrHex)) return npubOrHex;
  try {
    const decoded = decode(npubOrHex);
    if (decoded.type === "npub") return decoded.data;
  } catch {
    // reported below
  }
  throw new HeartbeatReaderError(
    `${field} "${npubOrHex}" is not an npub1… key (NIP-19) nor a 64-character hex public key`,
  );
}

export interface WatchHeartbeatsOptions {
  readonly relay: string;
  /** Hex public keys of the members to watch. */
  readonly pubkeys: readonly string[];
  readonly onHeartbeat: (heartbeat: ReceivedHeartbeat) => void;
  /** The relay closed the subscription or the connection dropped. */
  readonly onClose?: (reason: string) => void;
  readonly connectTimeoutMs?: number;
}

export interface HeartbeatWatch {
  /** Resolves once the relay has sent what it stores (EOSE); live heartbeats follow. */
  readonly caughtUp: Promise<void>;
  close(): void;
}

/**
 * Follows members' heartbeats on one relay: the latest stored one of each first, then every new one as
 * it is published. Events that are not valid signed heartbeats are skipped; a heartbeat is reported once
 * even if the relay sends it twice. The family's watcher and `akash-agent watch` both read through this.
 */
export async function watchHeartbeats(options: WatchHeartbeatsOptions): Promise<HeartbeatWatch> {
  let relay: Relay;
  try {
    relay = await Relay.connect(options.relay);
  } catch (error) {
    throw new HeartbeatReaderError(
      `cannot connect to the relay ${options.relay} (${error instanceof Error ? error.message : String(error)}): check --relay`,
    );
  }
  const seen = new Set<string>();
  let closing = false;
  let eose: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => {
    eose = resolve;
  });
  relay.onclose = () => {
    if (!closing) options.onClose?.("the relay closed the connection");
  };
  relay.subscribe([{ kinds: [HEARTBEAT_KIND], authors: [...options.pubkeys], "#d": [HEARTBEAT_D_TAG] }], {
    onevent(event: Event) {
      const heartbeat = parseHeartbeat(event);
      if (!heartbeat || seen.has(heartbeat.eventId)) return;
      seen.add(heartbeat.eventId);
      options.onHeartbeat(heartbeat);
    },
    oneose: () => eose(),
    onclose: (reason) => {
      eose();
      if (!closing) options.onClose?.(reason);
    },
  });
  return {
    caughtUp,
    close() {
      closing = true;
      relay.close();
    },
  };
}
