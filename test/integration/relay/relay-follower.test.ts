import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Event, finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createLogger } from "../../../src/logging/index.js";
import { AgentRelay, followRelay, readAllEvents } from "../../../src/services/relay/index.js";
import { waitFor } from "../../support/devnet.js";

useWebSocketImplementation(WebSocket);

const logger = createLogger({ level: "silent", json: true });
const author = generateSecretKey();
const note = (content: string, createdAt = Math.floor(Date.now() / 1000)): Event =>
  finalizeEvent({ kind: 1, created_at: createdAt, tags: [], content }, author);

/** An agent relay served on a loopback port (the port given, or any). */
async function serveRelay(
  dataDir: string,
  port = 0,
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const relay = await AgentRelay.open({ dataDir, hostname: "127.0.0.1", name: "leader", pubkey: "" });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => relay.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${bound}`,
    port: bound,
    async stop() {
      await relay.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function publish(url: string, event: Event): Promise<void> {
  const client = await Relay.connect(url);
  try {
    await client.publish(event);
  } finally {
    client.close();
  }
}

/**
 * The standby of an upgrade follows the new leader's relay for the rollback window (issue 18), so a
 * rollback keeps the events written there: what was there since, what arrives live, and what arrives
 * after the leader's relay went away and came back.
 */
describe("following a relay", () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  /** The old instance's relay, which receives the followed events. */
  const openStandby = async () => {
    const standby = await AgentRelay.open({
      dataDir: tempDir("standby-"),
      hostname: "127.0.0.1",
      name: "old",
      pubkey: "",
    });
    cleanups.push(() => standby.close());
    return standby;
  };

  it("copies the events since, then live ones, and again after the followed relay restarts", async () => {
    const leaderDir = tempDir("followed-");
    let leader = await serveRelay(leaderDir);
    cleanups.push(() => leader.stop());
    const since = Math.floor(Date.now() / 1000) - 10;
    const before = note("before the handover", since - 120);
    const earlier = note("written since the handover");
    await publish(leader.url, before);
    await publish(leader.url, earlier);

    const standby = await openStandby();
    const follower = followRelay({ url: leader.url, since, sink: standby, logger, maxRetryMs: 300 });
    cleanups.push(() => follower.stop());
    await waitFor(() => (follower.copied() === 1 ? true : undefined), 10_000, "the event written since");

    const live = note("written while followed");
    await publish(leader.url, live);
    await waitFor(() => (follower.copied() === 2 ? true : undefined), 10_000, "the live event");

    const port = leader.port;
    await leader.stop();
    leader = await serveRelay(leaderDir, port);
    const afterRestart = note("written after the leader's relay restarted");
    await publish(leader.url, afterRestart);
    await waitFor(() => (follower.copied() === 3 ? true : undefined), 15_000, "the event after the restart");
    await follower.stop();

    const kept = await readAllEvents(leader.url);
    expect(kept).toHaveLength(4);
    const copied = new Set((await standbyEvents(standby)).map((event) => event.id));
    expect(copied).toEqual(new Set([earlier.id, live.id, afterRestart.id]));
  });

  it("stops trying when stopped while the followed relay is unreachable", async () => {
    const standby = await openStandby();
    const follower = followRelay({
      url: "ws://127.0.0.1:9",
      since: 0,
      sink: standby,
      logger,
      maxRetryMs: 100,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await follower.stop();
    expect(follower.copied()).toBe(0);
  });
});

/** Every event the standby's relay holds, read over its own WebSocket. */
async function standbyEvents(relay: AgentRelay): Promise<Event[]> {
  const server: Server = createServer();
  server.on("upgrade", (req, socket, head) => relay.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await readAllEvents(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
