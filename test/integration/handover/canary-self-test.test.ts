import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startNostrDevnet } from "../../../src/devnet/nostr/index.js";
import { createLogger } from "../../../src/logging/index.js";
import { AGENT_MACHINE_VERSION } from "../../../src/machines/index.js";
import { AGENT_MACHINE_ID } from "../../../src/runtime/agent-runtime.js";
import { runCanarySelfTest } from "../../../src/runtime/canary-self-test.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { newActivationAgent } from "../../support/activation-fixtures.js";

useWebSocketImplementation(WebSocket);

const logger = createLogger({ level: "silent", json: true });

/**
 * An upgrade's canary copies the serving leader's relay in its self-test (issue 18). A leader that is
 * restarting (killed right after it activated the canary: the upgrade crash matrix) is not the new
 * image's fault: the canary reads again until it answers, and fails only past its window.
 */
describe("the canary's self-test and the serving relay", () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A canary's data directory: the agent's state as an activation brings it. */
  function canaryDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "canary-self-test-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = openAgentStore({ dataDir: dir });
    try {
      store.snapshots.append({
        machineId: AGENT_MACHINE_ID,
        machineVersion: AGENT_MACHINE_VERSION,
        snapshotJson: JSON.stringify({ status: "active", value: {}, context: {} }),
      });
    } finally {
      store.close();
    }
    return dir;
  }

  async function servingRelay() {
    const nostr = await startNostrDevnet();
    cleanups.push(() => nostr.stop());
    const relay = await Relay.connect(nostr.info.relay);
    const event = finalizeEvent(
      { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: "before the upgrade" },
      generateSecretKey(),
    );
    await relay.publish(event);
    relay.close();
    return { nostr, uri: nostr.info.relay.replace(/^ws:\/\//, "") };
  }

  it("reads the serving relay again while it is down, and passes once it is back", async () => {
    const { nostr, uri } = await servingRelay();
    await nostr.control.setRelayDown();
    const agent = await newActivationAgent();
    const testing = runCanarySelfTest({
      dataDir: canaryDir(),
      keys: agent.keys,
      syncFrom: uri,
      relay: { hostname: "127.0.0.1", name: "canary" },
      logger,
      syncWindowMs: 60_000,
    });
    // The leader's provider restarts it: its relay answers again on the same port.
    setTimeout(() => void nostr.control.setRelayUp(), 1_000);
    const report = await testing;
    expect(report, report.detail).toMatchObject({ state: "passed", syncedEvents: 1 });
  });

  it("fails past its window, naming the relay it could not read and why", async () => {
    const { nostr, uri } = await servingRelay();
    await nostr.control.setRelayDown();
    const agent = await newActivationAgent();
    const report = await runCanarySelfTest({
      dataDir: canaryDir(),
      keys: agent.keys,
      syncFrom: uri,
      relay: { hostname: "127.0.0.1", name: "canary" },
      logger,
      syncWindowMs: 0,
    });
    expect(report.state).toBe("failed");
    expect(report.detail).toMatch(new RegExp(`the relay ws://${uri} is not reachable: connection failed`));
  });
});
