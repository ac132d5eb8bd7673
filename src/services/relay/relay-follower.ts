import type { Event } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import type { Logger } from "../../logging/index.js";

useWebSocketImplementation(WebSocket);

/** Where the followed events go: a relay's own store (its signatures are checked there). */
export interface RelayEventSink {
  importEvents(events: readonly Event[]): Promise<number>;
}

export interface RelayFollowerOptions {
  /** The relay followed (`ws://…`). */
  readonly url: string;
  /** Unix seconds: events created from then on are copied (and those already there on connecting). */
  readonly since: number;
  readonly sink: RelayEventSink;
  readonly logger: Logger;
  /** Longest wait before connecting again after the connection was lost or refused (default 5 s). */
  readonly maxRetryMs?: number;
}

export interface RelayFollower {
  /** Events copied so far (duplicates not counted). */
  copied(): number;
  /** Stops following once the events received so far are stored. */
  stop(): Promise<void>;
}

/** Seconds a reconnection reaches back before the newest event seen (clocks of writers differ). */
const OVERLAP_S = 60;

/**
 * Copies a relay's events as they arrive, over one NIP-01 subscription kept open (connected again with a
 * backoff when lost, reaching back to the newest event it saw). Gift wraps are served only to their
 * recipients and are not followed.
 */
export function followRelay(o: RelayFollowerOptions): RelayFollower {
  const maxRetryMs = o.maxRetryMs ?? 5_000;
  let stopped = false;
  let copied = 0;
  let newest = o.since;
  let relay: Relay | null = null;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;
  let writes: Promise<void> = Promise.resolve();

  const store = (event: Event) => {
    newest = Math.max(newest, event.created_at);
    writes = writes
      .then(async () => {
        copied += await o.sink.importEvents([event]);
      })
      .catch((error: unknown) => {
        o.logger.warn({ reason: (error as Error).message }, "a followed relay event could not be stored");
      });
  };

  const connectLater = (reason: string) => {
    relay = null;
    if (stopped) return;
    failures += 1;
    const waitMs = Math.min(maxRetryMs, 250 * 2 ** Math.min(failures, 5));
    o.logger.info({ relay: o.url, reason, waitMs }, "following the relay: connecting again");
    retry = setTimeout(() => void connect(), waitMs);
  };

  const connect = async () => {
    retry = null;
    if (stopped) return;
    let opened: Relay;
    try {
      opened = await Relay.connect(o.url, { enablePing: true });
    } catch (reason) {
      connectLater(reason instanceof Error ? reason.message : String(reason));
      return;
    }
    if (stopped) {
      opened.close();
      return;
    }
    relay = opened;
    failures = 0;
    opened.onclose = () => connectLater("the connection closed");
    opened.subscribe([{ since: Math.max(o.since, newest - OVERLAP_S) }], { onevent: store });
  };

  void connect();
  return {
    copied: () => copied,
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const open = relay;
      relay = null;
      if (open) {
        open.onclose = null;
        open.close();
      }
      await writes;
    },
  };
}
