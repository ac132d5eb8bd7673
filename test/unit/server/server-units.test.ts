import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { describe, expect, it } from "vitest";
import { usageOfResources } from "../../../src/domain/index.js";
import { UsageError } from "../../../src/errors.js";
import { verifyNip98 } from "../../../src/server/nip98-auth.js";
import { SeenAuthEvents } from "../../../src/server/seen-auth-events.js";
import { parseInspectTarget } from "../../../src/server/stately-inspector.js";
import { TrafficMeter } from "../../../src/services/relay/traffic-meter.js";

const GIB = 1024 ** 3;

describe("the relay's traffic meter", () => {
  const accepted = { messageType: "EVENT", success: true } as never;
  const refused = { messageType: "EVENT", success: false, message: "invalid" } as never;
  const event = ["EVENT", {}] as never;

  it("averages accepted events over the last whole seconds and forgets older ones", async () => {
    let now = 1_000_000;
    const meter = new TrafficMeter(() => now, 10);
    for (let i = 0; i < 50; i += 1) await meter.handleMessage({} as never, event, async () => accepted);
    await meter.handleMessage({} as never, event, async () => refused);
    // The current second does not count yet.
    expect(meter.eventsPerSecond()).toBe(0);
    now += 1000;
    expect(meter.eventsPerSecond()).toBe(5);
    expect([meter.eventsAccepted, meter.eventsRefused]).toEqual([50, 1]);
    now += 10_000;
    expect(meter.eventsPerSecond()).toBe(0);
    expect(meter.eventsAccepted).toBe(50);
  });

  it("tallies accepted events by kind, refused ones not at all, and bounds the distinct kinds", async () => {
    const meter = new TrafficMeter(() => 1_000_000, 10);
    const ofKind = (kind: unknown) => ["EVENT", { kind }] as never;
    for (const kind of [1, 1, 34235, 7])
      await meter.handleMessage({} as never, ofKind(kind), async () => accepted);
    await meter.handleMessage({} as never, ofKind(34235), async () => refused);
    await meter.handleMessage({} as never, ofKind("1"), async () => accepted);
    expect(meter.eventsByKind).toEqual({ "1": 2, "7": 1, "34235": 1 });
    for (let kind = 100; kind < 400; kind += 1)
      await meter.handleMessage({} as never, ofKind(kind), async () => accepted);
    expect(Object.keys(meter.eventsByKind)).toHaveLength(257);
    expect(meter.eventsByKind.other).toBe(300 - (256 - 3));
  });
});

describe("usage of the lease's resources from the relay's load", () => {
  it("applies the sizing rules: 100 events/s per cpu, 1 Gi per 10 000 connections, storage as used", () => {
    const usage = usageOfResources(
      { eventsPerSecond: 100, openConnections: 10_000, storedBytes: 25 * GIB, residentBytes: GIB },
      { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
    );
    expect(usage).toEqual({ cpuPercent: 50, memoryPercent: 50, diskPercent: 25 });
  });
});

describe("NIP-98 verification", () => {
  const admin = generateSecretKey();
  const allowed = new Set([getPublicKey(admin)]);
  const now = 1_800_000_000_000;
  const request = (tags: string[][], createdAt = now / 1000, body = Buffer.alloc(0)) => ({
    method: "POST",
    path: "/api/admin/pause",
    host: "127.0.0.1:8080",
    body,
    authorization: `Nostr ${Buffer.from(
      JSON.stringify(finalizeEvent({ kind: 27235, created_at: createdAt, tags, content: "" }, admin)),
    ).toString("base64")}`,
  });
  const tags = [
    ["u", "https://127.0.0.1:8080/api/admin/pause"],
    ["method", "post"],
  ];

  it("accepts a fresh event for this URL and method (any scheme: TLS ends at the ingress)", () => {
    expect(verifyNip98(request(tags), allowed, now)).toMatchObject({ ok: true, pubkey: getPublicKey(admin) });
  });

  it("refuses created_at more than 60 s away, either way", () => {
    expect(verifyNip98(request(tags, now / 1000 - 61), allowed, now)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(verifyNip98(request(tags, now / 1000 + 61), allowed, now)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(verifyNip98(request(tags, now / 1000 - 59), allowed, now)).toMatchObject({ ok: true });
  });

  it("refuses a body without its sha256 in the payload tag", () => {
    const outcome = verifyNip98(request(tags, now / 1000, Buffer.from("{}")), allowed, now);
    expect(outcome).toEqual({
      ok: false,
      status: 401,
      error: "the NIP-98 event's payload tag is not the sha256 of the body",
    });
  });
});

describe("the replay guard", () => {
  it("accepts an event id once, also after a restart, and forgets it once expired", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seen-auth-"));
    const first = new SeenAuthEvents(dataDir);
    expect(first.accept("a".repeat(64), 2_000, 1_000)).toBe(true);
    expect(first.accept("a".repeat(64), 2_000, 1_000)).toBe(false);
    first.close();
    const reopened = new SeenAuthEvents(dataDir);
    expect(reopened.accept("a".repeat(64), 2_000, 1_500)).toBe(false);
    // Past its expiry the row is pruned (by then the timestamp check refuses the event anyway).
    expect(reopened.accept("a".repeat(64), 4_000, 3_000)).toBe(true);
    reopened.close();
  });
});

describe("--inspect targets", () => {
  it("takes sky or a ws:// URL and refuses anything else naming the fix", () => {
    expect(parseInspectTarget("sky")).toEqual({ kind: "sky" });
    expect(parseInspectTarget("ws://127.0.0.1:8081")).toEqual({ kind: "ws", url: "ws://127.0.0.1:8081" });
    expect(() => parseInspectTarget("http://example.org")).toThrow(UsageError);
    expect(() => parseInspectTarget("stately")).toThrow(/use `sky` or a ws:\/\/HOST:PORT URL/);
  });
});
