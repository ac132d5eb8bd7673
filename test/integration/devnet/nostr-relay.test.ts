import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Filter } from "nostr-tools/filter";
import { fetchRelayInformation } from "nostr-tools/nip11";
import { unwrapEvent, wrapEvent } from "nostr-tools/nip17";
import { makeAuthEvent } from "nostr-tools/nip42";
import { SimplePool, useWebSocketImplementation } from "nostr-tools/pool";
import {
  type Event,
  type EventTemplate,
  finalizeEvent,
  generateSecretKey,
  getPublicKey,
  type VerifiedEvent,
} from "nostr-tools/pure";
import { Relay, useWebSocketImplementation as useRelayWebSocket } from "nostr-tools/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startNostrDevnet } from "../../../src/devnet/nostr/index.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

// Node 20 has no global WebSocket: nostr-tools takes ws's.
useWebSocketImplementation(WebSocket);
useRelayWebSocket(WebSocket);

const now = () => Math.floor(Date.now() / 1000);

interface Identity {
  readonly secret: Uint8Array;
  readonly pubkey: string;
  readonly sign: (template: EventTemplate) => Promise<VerifiedEvent>;
}

function identity(): Identity {
  const secret = generateSecretKey();
  return { secret, pubkey: getPublicKey(secret), sign: async (template) => finalizeEvent(template, secret) };
}

function signed(
  who: Identity,
  kind: number,
  content: string,
  tags: string[][] = [],
  createdAt = now(),
): Event {
  return finalizeEvent({ kind, content, tags, created_at: createdAt }, who.secret);
}

/**
 * Connects and answers the relay's NIP-42 challenge (sent right after the connection opens) with `sign`;
 * resolves with the relay once the AUTH event was accepted, or rejects with the relay's OK false reason.
 */
async function authenticatedRelay(url: string, sign: Identity["sign"]): Promise<Relay> {
  const relay = new Relay(url);
  let challenged: () => void = () => {};
  const challenge = new Promise<void>((resolve) => {
    challenged = resolve;
  });
  relay.onauth = (template) => {
    challenged();
    return sign(template);
  };
  await relay.connect();
  await challenge;
  try {
    await relay.auth(sign); // the AUTH already under way: settles with the relay's OK
  } catch (error) {
    relay.close();
    throw error;
  }
  return relay;
}

/** Events stored for `filters` (up to EOSE), and the CLOSED reason if the relay refused the REQ. */
function query(relay: Relay, filters: Filter[]): Promise<{ events: Event[]; closed?: string }> {
  return new Promise((resolve) => {
    const events: Event[] = [];
    const sub = relay.subscribe(filters, {
      onevent: (event) => events.push(event),
      oneose: () => {
        resolve({ events });
        sub.close();
      },
      onclose: (reason) => resolve({ events, closed: reason }),
    });
  });
}

/** Plain copies of events (nostr-tools marks the ones it verified with a symbol). */
const plain = (events: readonly Event[]) => events.map((e) => JSON.parse(JSON.stringify(e)) as Event);

/** A live subscription that collects what arrives after EOSE (not the stored events before it). */
async function listen(relay: Relay, filters: Filter[]): Promise<{ events: Event[]; stop: () => void }> {
  const events: Event[] = [];
  let eosed: () => void = () => {};
  const eose = new Promise<void>((resolve) => {
    eosed = resolve;
  });
  let live = false;
  const sub = relay.subscribe(filters, {
    onevent: (event) => {
      if (live) events.push(event);
    },
    oneose: () => {
      live = true;
      eosed();
    },
  });
  await eose;
  return { events, stop: () => sub.close() };
}

async function control(devnet: DevnetHandle, route: string, body: unknown = {}): Promise<void> {
  const response = await fetch(`${devnet.control}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200)
    throw new Error(`control ${route}: ${response.status} ${await response.text()}`);
}

describe("devnet: the Nostr relay (@nostr-relay/core, SQLite) through nostr-tools", () => {
  let devnet: DevnetHandle;
  let url: string;
  const relays: Relay[] = [];
  const connect = async (who?: Identity) => {
    const relay = who ? await authenticatedRelay(url, who.sign) : await Relay.connect(url);
    relays.push(relay);
    return relay;
  };

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 0, nostr: true });
    url = devnet.nostr!.relay;
  });

  afterAll(async () => {
    for (const relay of relays) relay.close();
    await devnet?.stop();
  });

  it("is in the endpoints and serves its NIP-11 document to Accept: application/nostr+json", async () => {
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const served = (await (await fetch(`${devnet.control}/endpoints`)).json()) as { nostr: unknown };
    expect(served.nostr).toEqual({ relay: url });
    const info = await fetchRelayInformation(url);
    expect(info.supported_nips).toEqual(expect.arrayContaining([1, 11, 42]));
    expect(info.name).toBeTruthy();
    const plain = await fetch(url.replace(/^ws/, "http"));
    expect(plain.headers.get("content-type")).not.toContain("application/nostr+json");
  });

  it("stores a note, answers queries by author and kind, and forwards new notes to live subscriptions", async () => {
    const alice = identity();
    const writer = await connect();
    const reader = await connect();
    const live = await listen(reader, [{ authors: [alice.pubkey], kinds: [1] }]);
    const note = signed(alice, 1, "hello from the devnet");
    await writer.publish(note);
    await waitFor(() => (live.events.length > 0 ? true : undefined), 5000, "the live note");
    live.stop();
    expect(live.events.map((e) => e.id)).toEqual([note.id]);
    const { events } = await query(reader, [{ authors: [alice.pubkey], kinds: [1] }]);
    expect(plain(events)).toEqual(plain([note]));
    expect((await query(reader, [{ authors: [alice.pubkey], kinds: [7] }])).events).toEqual([]);
  });

  it("refuses an event whose signature does not match", async () => {
    const writer = await connect();
    const note = signed(identity(), 1, "original");
    await expect(writer.publish({ ...note, content: "tampered" })).rejects.toThrow(/invalid/);
  });

  it("keeps only the newest replaceable event (kinds 0 and 10002) per author", async () => {
    const alice = identity();
    const relay = await connect();
    const t = now();
    for (const kind of [0, 10002]) {
      const older = signed(
        alice,
        kind,
        kind === 0 ? '{"name":"old"}' : "",
        [["r", "wss://old.example"]],
        t - 10,
      );
      const newer = signed(alice, kind, kind === 0 ? '{"name":"new"}' : "", [["r", "wss://new.example"]], t);
      await relay.publish(older);
      await relay.publish(newer);
      // An older version arriving late does not replace the newer one.
      await relay.publish(signed(alice, kind, "stale", [], t - 5));
      const { events } = await query(relay, [{ authors: [alice.pubkey], kinds: [kind] }]);
      expect(events.map((e) => e.id)).toEqual([newer.id]);
    }
  });

  it("keeps only the newest parameterized-replaceable event (kind 30078) per author and d tag", async () => {
    const alice = identity();
    const relay = await connect();
    const t = now();
    const heartbeatOld = signed(alice, 30078, "beat 1", [["d", "heartbeat"]], t - 2);
    const heartbeatNew = signed(alice, 30078, "beat 2", [["d", "heartbeat"]], t);
    const backup = signed(alice, 30078, "backup pointer", [["d", "backup"]], t - 1);
    for (const event of [heartbeatOld, backup, heartbeatNew]) await relay.publish(event);
    const { events } = await query(relay, [{ authors: [alice.pubkey], kinds: [30078] }]);
    expect(events.map((e) => e.id).sort()).toEqual([heartbeatNew.id, backup.id].sort());
    const byTag = await query(relay, [{ kinds: [30078], authors: [alice.pubkey], "#d": ["heartbeat"] }]);
    expect(byTag.events.map((e) => e.content)).toEqual(["beat 2"]);
  });

  it("authenticates with NIP-42 and refuses an AUTH event with the wrong challenge", async () => {
    const alice = identity();
    await expect(connect(alice)).resolves.toBeDefined();
    // By hand over a bare socket: nostr-tools rethrows a refused automatic AUTH as an unhandled rejection.
    const socket = new WebSocket(url);
    const frames: unknown[][] = [];
    socket.on("message", (data) => frames.push(JSON.parse(data.toString()) as unknown[]));
    try {
      const [, challenge] = await waitFor(
        () => frames.find((f) => f[0] === "AUTH"),
        5000,
        "the AUTH challenge",
      );
      expect(typeof challenge).toBe("string");
      const wrong = finalizeEvent(makeAuthEvent(url, `${String(challenge)}-not`), alice.secret);
      socket.send(JSON.stringify(["AUTH", wrong]));
      const ok = await waitFor(() => frames.find((f) => f[0] === "OK" && f[1] === wrong.id), 5000, "OK");
      expect(ok).toEqual(["OK", wrong.id, false, "invalid: the challenge string is wrong"]);
      const right = finalizeEvent(makeAuthEvent(url, String(challenge)), alice.secret);
      socket.send(JSON.stringify(["AUTH", right]));
      expect(await waitFor(() => frames.find((f) => f[0] === "OK" && f[1] === right.id), 5000, "OK")).toEqual(
        ["OK", right.id, true, ""],
      );
    } finally {
      socket.close();
    }
  });

  describe("NIP-17 direct messages (gift wraps, kind 1059)", () => {
    const alice = identity();
    const bob = identity();
    const carol = identity();
    let stored: Event;

    beforeAll(async () => {
      stored = wrapEvent(
        alice.secret,
        { publicKey: bob.pubkey, relayUrl: url },
        "your lease ends in 2 hours",
      );
      expect(stored.kind).toBe(1059);
      await (await connect()).publish(stored);
    });

    it("are delivered to their recipient once authenticated, and unwrap to the sender's message", async () => {
      const relay = await connect(bob);
      const { events, closed } = await query(relay, [{ kinds: [1059], "#p": [bob.pubkey] }]);
      expect(closed).toBeUndefined();
      expect(events.map((e) => e.id)).toEqual([stored.id]);
      const rumor = unwrapEvent(events[0]!, bob.secret);
      expect(rumor.pubkey).toBe(alice.pubkey);
      expect(rumor.content).toBe("your lease ends in 2 hours");
    });

    it("reach a SimplePool client that authenticates when the relay asks (auth-required, then AUTH)", async () => {
      const pool = new SimplePool();
      try {
        const events = await new Promise<Event[]>((resolve) => {
          const found: Event[] = [];
          pool.subscribeEose(
            [url],
            { kinds: [1059], "#p": [bob.pubkey] },
            {
              onevent: (event) => found.push(event),
              onclose: () => resolve(found),
              onauth: bob.sign,
            },
          );
        });
        expect(events.map((e) => e.id)).toEqual([stored.id]);
      } finally {
        pool.destroy();
      }
    });

    it("are not readable by another authenticated key, whatever the filter", async () => {
      const relay = await connect(carol);
      for (const filters of [
        [{ kinds: [1059], "#p": [bob.pubkey] }],
        [{ kinds: [1059] }],
        [{ ids: [stored.id] }],
        [{ authors: [stored.pubkey] }],
      ] as Filter[][]) {
        const { events } = await query(relay, filters);
        expect(events, JSON.stringify(filters)).toEqual([]);
      }
    });

    it("are refused to an unauthenticated client with auth-required, and left out of its other results", async () => {
      const relay = await connect();
      const asked = await query(relay, [{ kinds: [1059], "#p": [bob.pubkey] }]);
      expect(asked.events).toEqual([]);
      expect(asked.closed).toMatch(/^auth-required: /);
      expect((await query(relay, [{ ids: [stored.id] }])).events).toEqual([]);
      expect((await query(relay, [{ authors: [stored.pubkey] }])).events).toEqual([]);
    });

    it("are forwarded live only to subscriptions authenticated as the recipient", async () => {
      const bobLive = await listen(await connect(bob), [{ kinds: [1059], "#p": [bob.pubkey] }]);
      const carolLive = await listen(await connect(carol), [{ kinds: [1059] }]);
      const anonymousLive = await listen(await connect(), [{ "#p": [bob.pubkey] }]);
      const wrap = wrapEvent(alice.secret, { publicKey: bob.pubkey }, "balance low");
      await (await connect()).publish(wrap);
      await waitFor(() => (bobLive.events.length > 0 ? true : undefined), 5000, "bob's live gift wrap");
      // A second, ordinary event to the same subscriptions marks that the wrap had its chance to arrive.
      const marker = signed(carol, 1, "marker", [["p", bob.pubkey]]);
      await (await connect()).publish(marker);
      await waitFor(() => (anonymousLive.events.length > 0 ? true : undefined), 5000, "the marker");
      expect(bobLive.events.map((e) => e.id)).toEqual([wrap.id]);
      expect(carolLive.events).toEqual([]);
      expect(anonymousLive.events.map((e) => e.id)).toEqual([marker.id]);
      for (const live of [bobLive, carolLive, anonymousLive]) live.stop();
    });
  });

  describe("faults", () => {
    it("relay down: open connections close, new ones are refused, and it comes back with its events", async () => {
      const alice = identity();
      const relay = await connect();
      const note = signed(alice, 1, "before the outage");
      await relay.publish(note);
      const closed = new Promise<void>((resolve) => {
        relay.onclose = () => resolve();
      });
      await control(devnet, "/nostr/relay/down");
      await closed;
      await expect(Relay.connect(url)).rejects.toThrow();
      const pool = new SimplePool();
      try {
        const published = await Promise.allSettled(pool.publish([url], signed(alice, 1, "during")));
        expect(published[0]?.status).toBe("rejected");
      } finally {
        pool.destroy();
      }
      const status = (await (await fetch(`${devnet.control}/status`)).json()) as { nostr: { down: boolean } };
      expect(status.nostr.down).toBe(true);
      await control(devnet, "/nostr/relay/up");
      const again = await connect();
      expect((await query(again, [{ authors: [alice.pubkey] }])).events.map((e) => e.id)).toEqual([note.id]);
    });

    it("dropping events (reject): OK false with an error: reason, nothing stored", async () => {
      const alice = identity();
      const relay = await connect();
      await control(devnet, "/nostr/events/drop", { mode: "reject" });
      try {
        await expect(relay.publish(signed(alice, 1, "lost"))).rejects.toThrow(/^error: /);
        expect((await query(relay, [{ authors: [alice.pubkey] }])).events).toEqual([]);
      } finally {
        await control(devnet, "/nostr/events/clear");
      }
      const kept = signed(alice, 1, "kept");
      await relay.publish(kept);
      expect((await query(relay, [{ authors: [alice.pubkey] }])).events.map((e) => e.id)).toEqual([kept.id]);
    });

    it("dropping events (shadow): OK true, but neither stored nor forwarded", async () => {
      const alice = identity();
      const writer = await connect();
      const live = await listen(await connect(), [{ authors: [alice.pubkey] }]);
      await control(devnet, "/nostr/events/drop", { mode: "shadow" });
      try {
        await expect(writer.publish(signed(alice, 1, "acknowledged, then lost"))).resolves.toBe("");
        expect((await query(writer, [{ authors: [alice.pubkey] }])).events).toEqual([]);
      } finally {
        await control(devnet, "/nostr/events/clear");
      }
      const after = signed(alice, 1, "after");
      await writer.publish(after);
      await waitFor(() => (live.events.length > 0 ? true : undefined), 5000, "the event after the fault");
      expect(live.events.map((e) => e.id)).toEqual([after.id]);
      live.stop();
    });
  });
});

describe("the relay's store under a data directory", () => {
  it("keeps events across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nostr-devnet-"));
    try {
      const alice = identity();
      const note = signed(alice, 1, "persisted");
      const first = await startNostrDevnet({ dataDir });
      const writer = await Relay.connect(first.info.relay);
      await writer.publish(note);
      writer.close();
      await first.stop();
      const second = await startNostrDevnet({ dataDir });
      try {
        const reader = await Relay.connect(second.info.relay);
        expect(plain((await query(reader, [{ authors: [alice.pubkey] }])).events)).toEqual(plain([note]));
        expect(second.control.status().storedEvents).toBe(1);
        reader.close();
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
