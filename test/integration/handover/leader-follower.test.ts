import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { followLeader } from "../../../src/cli/commands/leader-follower.js";
import { startNostrDevnet } from "../../../src/devnet/nostr/nostr-devnet.js";
import { createLogger } from "../../../src/logging/index.js";
import { type Heartbeat, heartbeatTemplate } from "../../../src/services/nostr/heartbeat-event.js";
import { waitFor } from "../../support/devnet.js";

useWebSocketImplementation(WebSocket);

const quiet = createLogger({ level: "silent", json: true });

type NostrDevnet = Awaited<ReturnType<typeof startNostrDevnet>>;

/** An HTTP server that answers /api/status with what the test sets (as a deployed agent's would). */
async function statusServer(status: () => Record<string, unknown>): Promise<{ server: Server; uri: string }> {
  const server = createServer((req, res) => {
    if (req.url === "/api/status") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(status()));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, uri: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("following the deployed agent (npm start after the handover)", () => {
  let nostr: NostrDevnet;
  const servers: Server[] = [];
  const secret = generateSecretKey();
  const pubkey = getPublicKey(secret);

  const publish = async (heartbeat: Heartbeat, createdAt: number) => {
    const relay = await Relay.connect(nostr.info.relay);
    try {
      await relay.publish(finalizeEvent(heartbeatTemplate(heartbeat, createdAt), secret));
    } finally {
      relay.close();
    }
  };
  const beat = (generation: number, relayUri: string, leaseState = "active.monitoring"): Heartbeat => ({
    agentId: "agent-1",
    generation,
    leaseState,
    provider: `akash1provider${generation}`,
    runwayDays: 2.5,
    relayUri,
    at: new Date().toISOString(),
  });

  beforeAll(async () => {
    nostr = await startNostrDevnet();
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await nostr?.stop();
  });

  it("prints heartbeats and status changes, skips an earlier generation's, and moves with a self-migration", async () => {
    let oldState: Record<string, unknown> = {
      state: "active.monitoring",
      dseq: "8",
      leadership: { generation: 1, state: "leading" },
    };
    const old = await statusServer(() => oldState);
    const next = await statusServer(() => ({
      state: "active.monitoring",
      dseq: "12",
      leadership: { generation: 2, state: "leading" },
    }));
    servers.push(old.server, next.server);
    const now = Math.floor(Date.now() / 1000);
    // The bootstrap's last heartbeat (generation 0) is still on the relay: not news.
    await publish(beat(0, `ws://${old.uri}`, "starting"), now - 5);

    const lines: string[] = [];
    const follower = followLeader({
      leader: { generation: 1, dseq: "8", provider: "akash1provider1", uri: old.uri },
      relays: [nostr.info.relay],
      pubkey,
      pollMs: 100,
      onLine: (line) => lines.push(line),
      logger: quiet,
    });
    try {
      await waitFor(() =>
        lines.some((line) => line.includes("leader leading (generation 1)")) ? true : undefined,
      );
      await publish(beat(1, `ws://${old.uri}`), now - 4);
      await waitFor(() => (lines.some((line) => / heartbeat +generation 1 /.test(line)) ? true : undefined));
      expect(lines.filter((line) => line.includes("generation 0"))).toEqual([]);
      const statusLines = () => lines.filter((line) => line.includes("status ")).length;
      const before = statusLines();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(statusLines()).toBe(before);

      // The old leader hands over: its status says so, then the new leader's heartbeat names its relay.
      oldState = { state: "handed_over", generation: 2 };
      await waitFor(() => (lines.some((line) => line.includes("lease handed_over")) ? true : undefined));
      await publish(beat(2, `ws://${next.uri}`), now - 3);
      await waitFor(() =>
        lines.some((line) => line.includes(`moved      generation 2 now at ${next.uri}`)) ? true : undefined,
      );
      await waitFor(() =>
        lines.some(
          (line) => line.includes(`status     ${next.uri}`) && line.includes("leader leading (generation 2)"),
        )
          ? true
          : undefined,
      );
      expect(follower.current()).toMatchObject({ generation: 2, uri: next.uri, dseq: "12" });
    } finally {
      follower.stop();
    }
  });
});
