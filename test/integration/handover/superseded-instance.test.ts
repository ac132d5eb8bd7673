import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createLogger } from "../../../src/logging/index.js";
import { watchOwnGeneration } from "../../../src/runtime/generation-watch.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../../src/services/keys/index.js";
import type { ReceivedHeartbeat } from "../../../src/services/nostr/heartbeat-event.js";
import { createAgentAnnouncer, nostrSignerOf } from "../../../src/services/nostr/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { startTestAgentProcess, type TestAgentProcess } from "../../support/agent-process-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

const logger = createLogger({ level: "silent", json: true });

/** Publishes a heartbeat signed with the agent's own Nostr key (what another instance of it would send). */
async function publishOwnHeartbeat(
  relay: string,
  keys: AgentKeys,
  generation: number,
  at: number,
  relayUri = "ws://127.0.0.1:39999",
): Promise<void> {
  const announcer = createAgentAnnouncer({
    relays: [relay],
    signer: () => nostrSignerOf(keys.nostrKey()),
    timeoutMs: 5_000,
    now: () => at,
  });
  await announcer.publishHeartbeat({
    agentId: keys.identity.agentId,
    generation,
    leaseState: "active.monitoring",
    provider: "akash1newleaderprovider",
    runwayDays: 2,
    relayUri,
    at: new Date(at).toISOString(),
  });
}

async function keysOf(mnemonic: string): Promise<AgentKeys> {
  return AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
}

describe("a leading instance that sees a later generation in its own heartbeats stops acting", () => {
  let devnet: DevnetHandle;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    devnet = await startTestDevnet({ nostr: true });
  });
  afterAll(async () => {
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("ignores its own generation, an older one and the instance it is handing over to; records the first later one", async () => {
    const relay = devnet.nostr!.relay;
    const keys = await keysOf(generateMnemonic().reveal());
    const store = openAgentStore({ dataDir: tempDir("generation-watch-") });
    store.leadership.record({ generation: 2, state: "leading", leader: null });
    const seen: ReceivedHeartbeat[] = [];
    let handingOverTo: number | null = 3;
    const watch = watchOwnGeneration({
      relays: [relay],
      pubkey: keys.identity.nostrPubkey,
      leadership: store.leadership,
      handingOverTo: () => handingOverTo,
      onSuperseded: (heartbeat) => seen.push(heartbeat),
      logger,
    });
    try {
      const t0 = Date.now();
      await publishOwnHeartbeat(relay, keys, 1, t0);
      await publishOwnHeartbeat(relay, keys, 2, t0 + 1_000);
      await publishOwnHeartbeat(relay, keys, 3, t0 + 2_000);
      // The first three did not supersede it; then the instance it handed over to is no longer expected.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen).toEqual([]);
      expect(store.leadership.current()).toMatchObject({ generation: 2, state: "leading" });
      handingOverTo = null;
      await publishOwnHeartbeat(relay, keys, 4, t0 + 3_000, "ws://127.0.0.1:40404");
      await waitFor(() => (seen.length > 0 ? true : undefined), 10_000, "superseded");
      expect(seen.map((heartbeat) => heartbeat.generation)).toEqual([4]);
      expect(store.leadership.current()).toMatchObject({
        generation: 4,
        state: "superseded",
        leader: { dseq: "", provider: "akash1newleaderprovider", uri: "127.0.0.1:40404" },
      });
      // Once superseded, nothing more happens.
      await publishOwnHeartbeat(relay, keys, 5, t0 + 4_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen).toHaveLength(1);
    } finally {
      watch.stop();
      store.close();
    }
  });

  it("a deployed agent process records superseded, stops its actors, raises one alert and keeps serving its status", {
    timeout: 120_000,
  }, async () => {
    const mnemonic = generateMnemonic().reveal();
    const dataDir = tempDir("superseded-agent-");
    // As the activation leaves it: the instance leads generation 1.
    const seed = openAgentStore({ dataDir });
    seed.leadership.record({ generation: 1, state: "leading", leader: null });
    seed.close();
    let agent: TestAgentProcess | undefined;
    try {
      agent = await startTestAgentProcess(devnet, {
        mnemonic,
        dataDir,
        settings: { role: "deployed", "heartbeat.intervalMs": 1_000, "alerts.console": true },
      });
      const running = agent;
      await running.until("active");
      // Its own heartbeats (generation 1) do not stop it.
      await waitFor(
        async () => {
          const { latestOwnHeartbeat } = await import("../../../src/runtime/leader-elsewhere.js");
          const heartbeat = await latestOwnHeartbeat(
            [devnet.nostr!.relay],
            running.keys.identity.nostrPubkey,
            logger,
          );
          return heartbeat?.generation === 1 ? heartbeat : undefined;
        },
        20_000,
        "the agent's own heartbeat",
      );
      expect(running.status().leadership).toEqual({ generation: 1, state: "leading" });

      await publishOwnHeartbeat(devnet.nostr!.relay, running.keys, 2, Date.now() + 2_000);
      await waitFor(
        () => (running.runtime.actor.getSnapshot().status === "stopped" ? true : undefined),
        15_000,
        "the agent's actors stopped",
      );
      expect(running.store.leadership.current()).toMatchObject({
        generation: 2,
        state: "superseded",
        leader: { provider: "akash1newleaderprovider", uri: "127.0.0.1:39999" },
      });
      const alert = await waitFor(
        () => running.store.alerts.recent().find((row) => row.id === "superseded-generation-2"),
        10_000,
        "the superseded alert",
      );
      expect(alert.severity).toBe("high");
      expect(running.store.alerts.recent().filter((row) => row.title === alert.title)).toHaveLength(1);
      // The status page still answers, says so, and names the leader it learned of.
      const response = await fetch(`${running.url}/api/status`);
      expect(response.status).toBe(200);
      const status = (await response.json()) as { leadership?: { generation: number; state: string } };
      expect(status.leadership).toEqual({
        generation: 2,
        state: "superseded",
        leader: { dseq: "", provider: "akash1newleaderprovider", uri: "127.0.0.1:39999" },
      });
    } finally {
      await agent?.close();
    }
  });
});
