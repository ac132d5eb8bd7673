import type { Filter } from "nostr-tools/filter";
import { type Event, verifyEvent } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { MAX_LIMIT } from "./relay-core.js";

useWebSocketImplementation(WebSocket);

/** Reads one page of events (newest first) until the relay's EOSE. */
function page(relay: Relay, filter: Filter, timeoutMs: number): Promise<Event[]> {
  return new Promise((resolve, reject) => {
    const events: Event[] = [];
    const timer = setTimeout(() => {
      subscription.close();
      reject(new Error(`no EOSE from ${relay.url} within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = relay.subscribe([filter], {
      onevent: (event) => events.push(event),
      oneose: () => {
        clearTimeout(timer);
        subscription.close();
        resolve(events);
      },
    });
  });
}

/**
 * Every event a relay serves to an anonymous reader, over NIP-01 (REQ pages going back in time with
 * `until`), each checked for its signature: what a self-migration copies from the old instance's relay
 * to the new one. Gift wraps are served only to their recipients and are not in it.
 */
export async function readAllEvents(url: string, options: { timeoutMs?: number } = {}): Promise<Event[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // nostr-tools rejects a failed connection with a bare string ("connection failed"): name the relay.
  const relay = await Relay.connect(url).catch((reason: unknown) => {
    throw new Error(
      `the relay ${url} is not reachable: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
  });
  try {
    const byId = new Map<string, Event>();
    let until: number | undefined;
    for (;;) {
      const events = await page(
        relay,
        { limit: MAX_LIMIT, ...(until === undefined ? {} : { until }) },
        timeoutMs,
      );
      let fresh = 0;
      for (const event of events) {
        if (byId.has(event.id)) continue;
        // verifyEvent caches its verdict on the object: check a copy (DESIGN §10).
        if (!verifyEvent({ ...event })) continue;
        byId.set(event.id, event);
        fresh += 1;
      }
      if (events.length < MAX_LIMIT || fresh === 0) break;
      until = Math.min(...events.map((event) => event.created_at));
    }
    return [...byId.values()];
  } finally {
    relay.close();
  }
}
