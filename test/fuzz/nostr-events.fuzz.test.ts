import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import * as nip44 from "nostr-tools/nip44";
import { type Event, finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { createLogger } from "../../src/logging/index.js";
import { watchOwnGeneration } from "../../src/runtime/generation-watch.js";
import { POINTER_D_TAG, POINTER_KIND, readPointer } from "../../src/services/backup/backup-pointer.js";
import type { NostrKey } from "../../src/services/keys/nostr-key.js";
import {
  HEARTBEAT_D_TAG,
  HEARTBEAT_KIND,
  parseHeartbeat,
  type ReceivedHeartbeat,
} from "../../src/services/nostr/heartbeat-event.js";
import { watchHeartbeats } from "../../src/services/nostr/heartbeat-reader.js";
import { AgentRelay } from "../../src/services/relay/index.js";
import type { Leadership } from "../../src/services/store/index.js";
import { newActivationAgent, secretSpellings } from "../support/activation-fixtures.js";
import {
  awkwardJson,
  awkwardText,
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
  withinMs,
} from "../support/input-fuzz.js";

/**
 * Nostr events the agent reads, fuzzed: heartbeats (what the generation watch, the leader-elsewhere
 * check and the family watcher follow) and backup pointers, served by a loopback relay that says
 * whatever the case holds; and client frames sent to the agent's own relay. Nothing but a correctly
 * signed, well-formed event of the agent's key may come out; nothing may crash or hang.
 */
const stranger = generateSecretKey();
const processErrors: unknown[] = [];
/** What the runs let through, so a generator that stopped producing valid input fails the test. */
const taken = { heartbeats: 0, pointers: 0, stored: 0 };
const onProcessError = (error: unknown) => processErrors.push(error);
let key: NostrKey;
let secrets: string[] = [];
let agentSecret: Uint8Array;

/** What the loopback relay answers to a REQ: frames with `SUB` standing for the subscription id. */
let frames: Array<string | Buffer> = [];
let fakeRelay: WebSocketServer;
let fakeUrl = "";

const servers: Server[] = [];
let agentRelay: AgentRelay;
let agentRelayUrl = "";
const dirs: string[] = [];

beforeAll(async () => {
  // nostr-tools warns on the console about every frame it cannot read: the fuzzed relay sends many.
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  vi.spyOn(console, "debug").mockImplementation(() => undefined);
  process.on("uncaughtException", onProcessError);
  process.on("unhandledRejection", onProcessError);
  const agent = await newActivationAgent();
  key = agent.keys.nostrKey();
  agentSecret = key.privateKey.reveal();
  secrets = secretSpellings(agent);

  fakeRelay = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => fakeRelay.once("listening", resolve));
  fakeUrl = `ws://127.0.0.1:${(fakeRelay.address() as AddressInfo).port}`;
  fakeRelay.on("connection", (ws) => {
    ws.on("message", (data) => {
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (!Array.isArray(message) || message[0] !== "REQ") return;
      const sub = JSON.stringify(message[1]);
      for (const frame of frames) ws.send(typeof frame === "string" ? frame.replaceAll('"SUB"', sub) : frame);
    });
  });

  const dir = mkdtempSync(join(tmpdir(), "nostr-fuzz-"));
  dirs.push(dir);
  agentRelay = await AgentRelay.open({
    dataDir: dir,
    hostname: "127.0.0.1",
    name: "fuzz",
    pubkey: key.pubkey,
  });
  const server = createServer((_req, res) => res.end());
  server.on("upgrade", (req, socket, head) => agentRelay.handleUpgrade(req, socket, head));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  agentRelayUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.off("uncaughtException", onProcessError);
  process.off("unhandledRejection", onProcessError);
  for (const client of fakeRelay?.clients ?? []) client.terminate();
  await new Promise((resolve) => fakeRelay?.close(resolve));
  await agentRelay?.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const validHeartbeat = fc.record({
  agentId: fc.string({ minLength: 1, maxLength: 12 }),
  generation: fc.nat({ max: 1000 }),
  leaseState: fc.string({ maxLength: 10 }),
  provider: fc.option(fc.string({ maxLength: 12 })),
  runwayDays: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
  relayUri: fc.option(fc.constantFrom("wss://relay.example", "ws://127.0.0.1:1", "")),
  at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
});

/** Heartbeat content: valid, valid with one field made wrong, or anything. */
const heartbeatContent = fc.oneof(
  validHeartbeat.map((value) => JSON.stringify(value)),
  fc
    .tuple(
      validHeartbeat,
      fc.constantFrom("agentId", "generation", "leaseState", "provider", "runwayDays", "relayUri", "at"),
      awkwardJson,
    )
    .map(([value, field, wrong]) => JSON.stringify({ ...value, [field]: wrong })),
  awkwardText,
);

type Signed = { event: Event; valid: boolean };

/** An event as a relay might send it; `valid` says whether the agent should take it. */
function signedEvent(o: {
  kind: number;
  dTag: string | null;
  content: string;
  byAgent: boolean;
  createdAt: number;
  validContent: boolean;
}): Signed {
  const tags = o.dTag === null ? [] : [["d", o.dTag]];
  const event = finalizeEvent(
    { kind: o.kind, created_at: o.createdAt, tags, content: o.content },
    o.byAgent ? agentSecret : stranger,
  );
  return { event, valid: o.byAgent && o.validContent };
}

/** A signed event changed after signing (so its signature no longer holds), or a shape that is no event. */
const brokenEvent = fc.oneof(
  fc
    .tuple(fc.constantFrom("id", "sig", "content", "created_at", "kind"), fc.nat())
    .map(([field, n]) => ({ field, n })),
  awkwardJson.map((value) => ({ field: "whole", n: 0, value })),
);

function breakEvent(event: Event, how: { field: string; n: number; value?: unknown }): unknown {
  if (how.field === "whole") return how.value;
  const copy: Record<string, unknown> = { ...event };
  const current = copy[how.field];
  if (typeof current === "number") copy[how.field] = current + 1 + (how.n % 5);
  else {
    const text = String(current);
    const i = text.length === 0 ? 0 : how.n % text.length;
    copy[how.field] = `${text.slice(0, i)}${text[i] === "0" ? "1" : "0"}${text.slice(i + 1)}`;
  }
  return copy;
}

const frameNoise = fc.oneof(
  awkwardText,
  awkwardJson.map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '["NOTICE","x"]',
    '["EOSE","SUB"]',
    '["CLOSED","SUB","gone"]',
    '["OK","x",true,""]',
    '["EVENT","SUB"]',
    '["EVENT","other",{}]',
    '["AUTH","challenge"]',
  ),
  fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
);

describe("fuzzing the Nostr events the agent reads", () => {
  // Found by this fuzzer: parseHeartbeat threw a TypeError on null and on objects that are not events
  // (nostr-tools' verifyEvent throws on them) instead of answering null.
  it("parseHeartbeat answers null for null and for objects that are not events", () => {
    for (const candidate of [
      null,
      undefined,
      7,
      "x",
      [],
      {},
      { kind: HEARTBEAT_KIND },
      { kind: HEARTBEAT_KIND, tags: "d" },
    ]) {
      expect(parseHeartbeat(candidate as unknown as Event)).toBeNull();
    }
  });

  it("parseHeartbeat gives null or a valid heartbeat for any object, and never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(heartbeatContent, fc.boolean(), fc.boolean()).map(
            ([content, byAgent, dTag]) =>
              signedEvent({
                kind: HEARTBEAT_KIND,
                dTag: dTag ? HEARTBEAT_D_TAG : "x",
                content,
                byAgent,
                createdAt: 1_700_000_000,
                validContent: true,
              }).event,
          ),
          fc.tuple(heartbeatContent, brokenEvent).map(([content, how]) =>
            breakEvent(
              signedEvent({
                kind: HEARTBEAT_KIND,
                dTag: HEARTBEAT_D_TAG,
                content,
                byAgent: true,
                createdAt: 1_700_000_000,
                validContent: true,
              }).event,
              how,
            ),
          ),
        ),
        (candidate) => {
          const heartbeat = parseHeartbeat(candidate as Event);
          if (heartbeat === null) return;
          expect(Number.isInteger(heartbeat.generation) && heartbeat.generation >= 0).toBe(true);
          expect(heartbeat.agentId.length).toBeGreaterThan(0);
        },
      ),
      fuzzParameters(80),
    );
  });

  it("follows only the agent's own valid heartbeats from a relay that sends anything", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            {
              weight: 3,
              arbitrary: fc
                .tuple(
                  heartbeatContent,
                  fc.boolean(),
                  fc.boolean(),
                  fc.constantFrom(HEARTBEAT_KIND, 1, 30078),
                )
                .map(([content, byAgent, dTag, kind]) => {
                  let validContent = false;
                  try {
                    validContent = parseHeartbeatContent(content);
                  } catch {
                    validContent = false;
                  }
                  const signed = signedEvent({
                    kind,
                    dTag: dTag ? HEARTBEAT_D_TAG : "other",
                    content,
                    byAgent,
                    createdAt: 1_700_000_000,
                    validContent: validContent && dTag && kind === HEARTBEAT_KIND,
                  });
                  return {
                    frame: JSON.stringify(["EVENT", "SUB", signed.event]),
                    valid: signed.valid ? signed.event.id : null,
                  };
                }),
            },
            {
              weight: 1,
              arbitrary: fc.tuple(heartbeatContent, brokenEvent).map(([content, how]) => {
                const { event } = signedEvent({
                  kind: HEARTBEAT_KIND,
                  dTag: HEARTBEAT_D_TAG,
                  content,
                  byAgent: true,
                  createdAt: 1_700_000_000,
                  validContent: true,
                });
                return { frame: JSON.stringify(["EVENT", "SUB", breakEvent(event, how)]), valid: null };
              }),
            },
            {
              weight: 2,
              arbitrary: validHeartbeat.map((heartbeat) => {
                const { event } = signedEvent({
                  kind: HEARTBEAT_KIND,
                  dTag: HEARTBEAT_D_TAG,
                  content: JSON.stringify(heartbeat),
                  byAgent: true,
                  createdAt: 1_700_000_000,
                  validContent: true,
                });
                return { frame: JSON.stringify(["EVENT", "SUB", event]), valid: event.id };
              }),
            },
            { weight: 1, arbitrary: frameNoise.map((frame) => ({ frame, valid: null })) },
          ),
          { maxLength: 6 },
        ),
        async (sent) => {
          frames = [...sent.map((entry) => entry.frame), '["EOSE","SUB"]'];
          const allowed = new Set(sent.flatMap((entry) => (entry.valid ? [entry.valid] : [])));
          const received: ReceivedHeartbeat[] = [];
          const watch = await withinMs(3_000, "watchHeartbeats", () =>
            watchHeartbeats({
              relay: fakeUrl,
              pubkeys: [key.pubkey],
              onHeartbeat: (heartbeat) => received.push(heartbeat),
            }),
          );
          try {
            // The relay may close the subscription (a CLOSED frame) before any EOSE: then nothing more comes.
            await withinMs(3_000, "the relay's EOSE", () => watch.caughtUp);
          } finally {
            watch.close();
          }
          taken.heartbeats += received.length;
          for (const heartbeat of received) {
            expect(heartbeat.pubkey).toBe(key.pubkey);
            expect(allowed.has(heartbeat.eventId), `took event ${heartbeat.eventId}`).toBe(true);
          }
          expect(processErrors).toEqual([]);
        },
      ),
      fuzzParameters(25),
    );
    expect(taken.heartbeats, "heartbeats taken").toBeGreaterThan(0);
  });

  it("lets only the agent's own heartbeat of a later generation supersede a leading instance", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    const LEADING = 5;
    const heartbeatAt = (generation: number) => ({
      agentId: "agent-1",
      generation,
      leaseState: "active",
      provider: null,
      runwayDays: null,
      relayUri: "wss://elsewhere.example",
      at: new Date().toISOString(),
    });
    const frameOf = (event: unknown) => JSON.stringify(["EVENT", "SUB", event]);
    const notSuperseding = fc.oneof(
      // A stranger's heartbeat of a later generation, or the agent's of this or an earlier one.
      fc.integer({ min: LEADING + 1, max: 100 }).map((generation) =>
        frameOf(
          signedEvent({
            kind: HEARTBEAT_KIND,
            dTag: HEARTBEAT_D_TAG,
            content: JSON.stringify(heartbeatAt(generation)),
            byAgent: false,
            createdAt: 1_700_000_000,
            validContent: true,
          }).event,
        ),
      ),
      fc.integer({ min: 0, max: LEADING }).map((generation) =>
        frameOf(
          signedEvent({
            kind: HEARTBEAT_KIND,
            dTag: HEARTBEAT_D_TAG,
            content: JSON.stringify(heartbeatAt(generation)),
            byAgent: true,
            createdAt: 1_700_000_000,
            validContent: true,
          }).event,
        ),
      ),
      // The agent's heartbeat of a later generation, changed after signing or with a wrong field.
      fc.tuple(fc.integer({ min: LEADING + 1, max: 100 }), brokenEvent).map(([generation, how]) =>
        frameOf(
          breakEvent(
            signedEvent({
              kind: HEARTBEAT_KIND,
              dTag: HEARTBEAT_D_TAG,
              content: JSON.stringify(heartbeatAt(generation)),
              byAgent: true,
              createdAt: 1_700_000_000,
              validContent: true,
            }).event,
            how,
          ),
        ),
      ),
      fc.tuple(fc.constantFrom("generation", "agentId", "at"), awkwardJson).map(([field, wrong]) =>
        frameOf(
          signedEvent({
            kind: HEARTBEAT_KIND,
            dTag: HEARTBEAT_D_TAG,
            content: JSON.stringify({ ...heartbeatAt(LEADING + 1), [field]: wrong }),
            byAgent: true,
            createdAt: 1_700_000_000,
            validContent: true,
          }).event,
        ),
      ),
      frameNoise,
    );
    const watchWith = async (sent: Array<string | Buffer>) => {
      frames = [...sent, '["EOSE","SUB"]'];
      const recorded: number[] = [];
      let superseded = 0;
      const leadership = {
        current: (): Leadership => ({ generation: LEADING, state: "leading", leader: null, updatedAt: 0 }),
        record: (next: { generation: number }) => {
          recorded.push(next.generation);
          return {
            generation: next.generation,
            state: "superseded",
            leader: null,
            updatedAt: 0,
          } as Leadership;
        },
      };
      const watch = watchOwnGeneration({
        relays: [fakeUrl],
        pubkey: key.pubkey,
        leadership,
        handingOverTo: () => null,
        onSuperseded: () => {
          superseded += 1;
        },
        logger: createLogger({ level: "silent" }),
      });
      // The relay sends its frames right after the REQ: a loopback round trip is well within this.
      await new Promise((resolve) => setTimeout(resolve, 150));
      watch.stop();
      return { recorded, superseded };
    };
    await fc.assert(
      fc.asyncProperty(fc.array(notSuperseding, { maxLength: 5 }), async (sent) => {
        const { recorded, superseded } = await watchWith(sent);
        expect(recorded).toEqual([]);
        expect(superseded).toBe(0);
        expect(processErrors).toEqual([]);
      }),
      fuzzParameters(25),
    );
    // The check can fail: the agent's own heartbeat of a later generation does supersede it, once.
    const later = signedEvent({
      kind: HEARTBEAT_KIND,
      dTag: HEARTBEAT_D_TAG,
      content: JSON.stringify(heartbeatAt(LEADING + 1)),
      byAgent: true,
      createdAt: 1_700_000_000,
      validContent: true,
    }).event;
    expect(await watchWith([frameOf(later), frameOf(later)])).toEqual({
      recorded: [LEADING + 1],
      superseded: 1,
    });
  });

  it("reads only the agent's own decryptable pointer, whatever the relay sends", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    const pointer = fc.record({
      v: fc.constant(1),
      agentId: fc.constant("agent-1"),
      id: fc.string({ minLength: 1, maxLength: 10 }),
      bundleId: fc.string({ minLength: 1, maxLength: 10 }),
      seq: fc.integer({ min: 1, max: 100 }),
      sha256: fc.constant("ab".repeat(32)),
      bytes: fc.integer({ min: 1, max: 1000 }),
      owner: fc.constant("arweave-owner"),
      encryptionIndex: fc.nat({ max: 3 }),
      createdAt: fc.integer({ min: 1, max: 2_000_000_000 }),
    });
    const ownKey = () => nip44.getConversationKey(agentSecret, key.pubkey);
    const content = fc.oneof(
      pointer.map((value) => ({ text: nip44.encrypt(JSON.stringify(value), ownKey()), seq: value.seq })),
      fc
        .tuple(pointer, fc.constantFrom("seq", "sha256", "v", "extra"), awkwardJson)
        .map(([value, field, wrong]) => ({
          text: nip44.encrypt(JSON.stringify({ ...value, [field]: wrong }), ownKey()),
          seq: null,
        })),
      pointer.map((value) => ({
        text: nip44.encrypt(JSON.stringify(value), nip44.getConversationKey(stranger, key.pubkey)),
        seq: null,
      })),
      awkwardText.map((text) => ({ text, seq: null })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            {
              weight: 3,
              arbitrary: fc.tuple(content, fc.boolean()).map(([c, byAgent]) => {
                const { event } = signedEvent({
                  kind: POINTER_KIND,
                  dTag: POINTER_D_TAG,
                  content: c.text,
                  byAgent,
                  createdAt: 1_700_000_000,
                  validContent: true,
                });
                return { frame: JSON.stringify(["EVENT", "SUB", event]), seq: byAgent ? c.seq : null };
              }),
            },
            { weight: 1, arbitrary: frameNoise.map((frame) => ({ frame, seq: null })) },
          ),
          { maxLength: 5 },
        ),
        async (sent) => {
          frames = [...sent.map((entry) => entry.frame), '["EOSE","SUB"]'];
          const seqs = sent.flatMap((entry) => (entry.seq === null ? [] : [entry.seq]));
          // A relay that closes the subscription without EOSE makes readPointer wait for its own timeout.
          const found = await withinMs(12_000, "readPointer", () => readPointer([fakeUrl], key));
          if (found !== null) taken.pointers += 1;
          if (found === null)
            expect(
              sent.some(
                (entry) => typeof entry.frame === "string" && /^\["(CLOSED|EOSE)"/.test(entry.frame),
              ) || seqs.length === 0,
            ).toBe(true);
          else expect(found.pointer.seq).toBe(Math.max(...seqs));
          expectNoSecretIn(JSON.stringify(found), secrets, "a read pointer");
          expect(processErrors).toEqual([]);
        },
      ),
      fuzzParameters(20),
    );
    expect(taken.pointers, "pointers read").toBeGreaterThan(0);
  });

  it("answers every client frame sent to the agent's relay and stores only validly signed events", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    const ws = new WebSocket(agentRelayUrl);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const replies: string[] = [];
    ws.on("message", (data) => replies.push(String(data)));
    const stored = new Set<string>();
    const storedIds = async (): Promise<string[]> => {
      const sub = `check-${replies.length}`;
      const from = replies.length;
      ws.send(JSON.stringify(["REQ", sub, { limit: 1000 }]));
      await withinMs(3_000, "the relay's EOSE", async () => {
        while (!replies.slice(from).some((reply) => reply.startsWith(`["EOSE","${sub}"`)))
          await new Promise((r) => setTimeout(r, 5));
      });
      ws.send(JSON.stringify(["CLOSE", sub]));
      return replies
        .slice(from)
        .map((reply) => JSON.parse(reply) as unknown[])
        .filter((reply) => reply[0] === "EVENT" && reply[1] === sub)
        .map((reply) => (reply[2] as Event).id);
    };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            {
              weight: 2,
              arbitrary: fc.tuple(awkwardText, fc.nat({ max: 40_000 })).map(([content, kind]) => {
                const event = finalizeEvent(
                  { kind, created_at: Math.floor(Date.now() / 1000), tags: [], content },
                  stranger,
                );
                return { frame: JSON.stringify(["EVENT", event]), valid: event.id };
              }),
            },
            {
              weight: 2,
              arbitrary: fc.tuple(awkwardText, brokenEvent).map(([content, how]) => {
                const event = finalizeEvent(
                  { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content },
                  stranger,
                );
                return { frame: JSON.stringify(["EVENT", breakEvent(event, how)]), valid: null };
              }),
            },
            {
              weight: 1,
              arbitrary: fc
                .tuple(
                  fc.constantFrom("REQ", "CLOSE", "AUTH", "COUNT", "EVENT"),
                  fc.array(awkwardJson, { maxLength: 3 }),
                )
                .map(([verb, rest]) => ({ frame: JSON.stringify([verb, ...rest]), valid: null })),
            },
            { weight: 1, arbitrary: frameNoise.map((frame) => ({ frame, valid: null })) },
          ),
          async ({ frame, valid }) => {
            ws.send(frame);
            if (valid) stored.add(valid);
            const ids = await storedIds();
            taken.stored = ids.length;
            // Ephemeral kinds (20000–29999) are not stored; every stored event is one sent validly signed.
            for (const id of ids) expect(stored.has(id), `stored ${id}`).toBe(true);
            expect(processErrors).toEqual([]);
          },
        ),
        fuzzParameters(60),
      );
      expect(taken.stored, "events stored").toBeGreaterThan(0);
    } finally {
      ws.close();
    }
    expect(agentRelay.isOpen).toBe(true);
  });
});

function parseHeartbeatContent(content: string): boolean {
  const probe = finalizeEvent(
    { kind: HEARTBEAT_KIND, created_at: 1_700_000_000, tags: [["d", HEARTBEAT_D_TAG]], content },
    stranger,
  );
  return parseHeartbeat(probe) !== null;
}
