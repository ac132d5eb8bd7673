import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";

useWebSocketImplementation(WebSocket);

/** One read of event `id` from the relay at `uri` (`host:port`), within `timeoutMs`. */
async function readsEvent(uri: string, id: string, timeoutMs: number): Promise<boolean> {
  let relay: Relay | undefined;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs));
  const read = (async () => {
    relay = await Relay.connect(`ws://${uri}`);
    return await new Promise<boolean>((resolve) => {
      let found = false;
      const sub = relay!.subscribe([{ ids: [id] }], {
        onevent: () => {
          found = true;
        },
        oneose: () => {
          sub.close();
          resolve(found);
        },
      });
    });
  })().catch(() => false);
  try {
    return await Promise.race([read, timeout]);
  } finally {
    relay?.close();
  }
}

/** Where the instance at `uri` says the agent leads, when it no longer does itself. */
async function leaderNamedBy(uri: string): Promise<string | null> {
  try {
    const response = await fetch(`http://${uri}/api/status`, { signal: AbortSignal.timeout(500) });
    const status = (await response.json()) as { leadership?: { state?: string; leader?: { uri?: string } } };
    const { leadership } = status;
    return leadership?.state !== "leading" && leadership?.leader?.uri ? leadership.leader.uri : null;
  } catch {
    return null;
  }
}

/** How long one read may take before it counts as failed: a loaded 2-core machine answers slowly. */
const READ_TIMEOUT_MS = 3_000;

/**
 * A client of the agent's relay: reads event `id` every 100 ms from the relay it knows, and moves to the
 * leader that instance names once it handed over, as soon as that leader's relay answers (a client
 * following the agent's heartbeats learns of a new leader only once it runs).
 * Reports the longest downtime it saw: from the last answer before a failed read (refused, closed, the
 * event missing, or no answer within 3 s) to the sending of the next read that was answered. A slow
 * answer is latency, not downtime: under load the probe's own process is slow too.
 */
export function watchRelayAvailability(id: string, start: string[]) {
  let current = start[0]!;
  let lastOk = Date.now();
  let longest = 0;
  let failing = false;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      // The instance it reads names a new leader once it handed over: read there when that one answers.
      const named = await leaderNamedBy(current);
      let ok = false;
      let asked = Date.now();
      if (named && (await readsEvent(named, id, READ_TIMEOUT_MS))) {
        current = named;
        ok = true;
      } else {
        asked = Date.now();
        ok = await readsEvent(current, id, READ_TIMEOUT_MS);
      }
      if (!ok) failing = true;
      else {
        if (failing) longest = Math.max(longest, asked - lastOk);
        failing = false;
        lastOk = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const running = loop();
  return {
    stop: async () => {
      stopped = true;
      await running;
      if (failing) longest = Math.max(longest, Date.now() - lastOk);
    },
    longestGapMs: () => longest,
    lastUri: () => current,
  };
}
