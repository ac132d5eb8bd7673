import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "../../../src/config/index.js";
import { createLogger } from "../../../src/logging/index.js";
import { runDeployedInstance } from "../../../src/runtime/deployed-instance.js";
import { AgentRelay, readAllEvents } from "../../../src/services/relay/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { waitFor } from "../../support/devnet.js";

useWebSocketImplementation(WebSocket);

const logger = createLogger({ level: "silent", json: true });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The old instance of an upgrade, killed and restarted by its provider inside the rollback window
 * (issue 18; the upgrade crash matrix's standby row): it does not act, but it still says where the agent
 * went in the shape a running agent answers, and it still serves reads of its relay, which the new
 * leader copies when it takes over (events written after the canary's copy were lost without it).
 */
describe("a standby restarted inside the rollback window", () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("serves its status and the reads of its relay, refuses writes, and copies the new leader's events", async () => {
    // The new leader, ready, with its relay: the standby watches it and copies its new events.
    const leaderDir = mkdtempSync(join(tmpdir(), "standby-restart-leader-"));
    cleanups.push(() => rmSync(leaderDir, { recursive: true, force: true }));
    const leaderRelay = await AgentRelay.open({
      dataDir: leaderDir,
      hostname: "127.0.0.1",
      name: "new",
      pubkey: "",
    });
    cleanups.push(() => leaderRelay.close());
    const leader: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true }));
    });
    leader.on("upgrade", (req, socket, head) => leaderRelay.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => leader.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => leader.close(() => resolve())));
    const leaderUri = `127.0.0.1:${(leader.address() as AddressInfo).port}`;

    const dataDir = mkdtempSync(join(tmpdir(), "standby-restart-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // What the instance kept on its volume: the leader's settings, its store (standing by), its relay.
    writeFileSync(join(dataDir, "activated-config.json"), JSON.stringify({}));
    const store = openAgentStore({ dataDir });
    store.leadership.record({ generation: 1, state: "leading", leader: null });
    store.leadership.record({
      generation: 2,
      state: "standby",
      leader: { dseq: "77", provider: "akash1p", uri: leaderUri },
    });
    store.close();
    const relay = await AgentRelay.open({ dataDir, hostname: "127.0.0.1", name: "old", pubkey: "" });
    const event = finalizeEvent(
      { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: "after the canary's copy" },
      generateSecretKey(),
    );
    expect(await relay.importEvents([event])).toBe(1);
    await relay.close();

    const port = await freePort();
    const env = {
      AGENT_ID: "agent-a",
      AGENT_ACTIVATION_NONCE: "nonce",
      AKASH_OWNER: "akash1owner",
      AKASH_DEPLOYMENT_SEQUENCE: "41",
      AKASH_PROVIDER: "akash1p",
    };
    const config = loadConfig({
      env: { AGENT_DATA_DIR: dataDir, AGENT_HTTP_PORT: String(port), AGENT_HTTP_HOST: "127.0.0.1" },
    });
    const instance = await runDeployedInstance({
      config,
      logger,
      env,
      startAgent: () => {
        throw new Error("a standby must not start the agent");
      },
    });
    cleanups.push(() => instance.close());

    const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({
      state: "standby",
      leadership: { generation: 2, state: "standby", leader: { uri: leaderUri } },
      version: expect.any(Object),
    });
    const read = await readAllEvents(`ws://127.0.0.1:${port}`);
    expect(read.map((e) => e.id)).toEqual([event.id]);
    const client = await Relay.connect(`ws://127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    const note = finalizeEvent(
      { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: "too late" },
      generateSecretKey(),
    );
    await expect(client.publish(note)).rejects.toThrow(/moved to ws:\/\/127\.0\.0\.1/);

    // Written to the new leader inside the window: a rollback to this instance keeps it.
    const atLeader = await Relay.connect(`ws://${leaderUri}`);
    cleanups.push(() => atLeader.close());
    await atLeader.publish(note);
    await waitFor(
      async () =>
        (await readAllEvents(`ws://127.0.0.1:${port}`)).some((e) => e.id === note.id) ? true : undefined,
      15_000,
      "the new leader's event at the standby",
    );
  });
});
