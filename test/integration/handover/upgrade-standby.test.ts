import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UPGRADE_ROLLBACK_INTENT_KIND, upgradeRollbackKey } from "../../../src/actors/handover-actor.js";
import { createLogger } from "../../../src/logging/index.js";
import { watchNewLeader } from "../../../src/runtime/upgrade-standby.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";

const logger = createLogger({ level: "silent", json: true });

/** A new leader on loopback whose /readyz answers what `ready()` says. */
async function leaderServer(
  ready: () => boolean,
): Promise<{ uri: string; server: Server; checks: () => number }> {
  let checks = 0;
  const server = createServer((req, res) => {
    checks += 1;
    const ok = req.url === "/readyz" && ready();
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { ok: true } : { error: "the chain is not reachable" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { uri: `127.0.0.1:${(server.address() as AddressInfo).port}`, server, checks: () => checks };
}

/**
 * The old instance after an upgrade's handover (issue 18): it watches the new leader for the rollback
 * window, takes the agent back when the leader fails its checks (recording the rollback and `leading`
 * one generation up, together), and hands over for good once the window is over.
 */
describe("a standby after an upgrade", () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function standbyStore(uri: string): Promise<AgentStore> {
    const dir = mkdtempSync(join(tmpdir(), "upgrade-standby-"));
    const store = openAgentStore({ dataDir: dir });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => store.close());
    store.leadership.record({ generation: 1, state: "leading", leader: null });
    store.leadership.record({
      generation: 2,
      state: "standby",
      leader: { dseq: "77", provider: "akash1p", uri },
    });
    return store;
  }

  it("takes the agent back after the new leader fails its checks in a row", async () => {
    let healthy = true;
    const leader = await leaderServer(() => healthy);
    cleanups.push(() => new Promise<void>((resolve) => leader.server.close(() => resolve())));
    const store = await standbyStore(leader.uri);
    const takenBack = new Promise<string>((resolve) => {
      const watch = watchNewLeader({
        store,
        agentId: "agent-a",
        windowMs: 60_000,
        intervalMs: 50,
        failedChecks: 3,
        logger,
        onTakenBack: resolve,
      });
      cleanups.push(() => watch.stop());
    });
    // Seen healthy first (however slow the machine), then failing.
    while (leader.checks() < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.leadership.current().state).toBe("standby");
    healthy = false;
    const reason = await takenBack;
    expect(reason).toMatch(/failed 3 checks in a row: \/readyz answered 503 \(the chain is not reachable\)/);
    expect(store.leadership.current()).toMatchObject({ generation: 3, state: "leading", leader: null });
    expect(store.intents.get(upgradeRollbackKey("agent-a", "77"))).toMatchObject({
      kind: UPGRADE_ROLLBACK_INTENT_KIND,
      state: "pending",
      payload: { dseq: "77", reason },
    });
  });

  it("counts a leader that does not answer at all as failing", async () => {
    const store = await standbyStore("127.0.0.1:9");
    const reason = await new Promise<string>((resolve) => {
      const watch = watchNewLeader({
        store,
        agentId: "agent-a",
        windowMs: 60_000,
        intervalMs: 20,
        failedChecks: 2,
        startGraceMs: 0,
        logger,
        onTakenBack: resolve,
      });
      cleanups.push(() => watch.stop());
    });
    expect(reason).toMatch(/not reachable/);
    expect(store.leadership.current().state).toBe("leading");
  });

  it("gives a new leader that has not answered yet time to start", async () => {
    let up = false;
    const leader = await leaderServer(() => up);
    cleanups.push(() => new Promise<void>((resolve) => leader.server.close(() => resolve())));
    const store = await standbyStore(leader.uri);
    let takenBack = false;
    const watch = watchNewLeader({
      store,
      agentId: "agent-a",
      windowMs: 60_000,
      intervalMs: 20,
      failedChecks: 2,
      startGraceMs: 5_000,
      logger,
      onTakenBack: () => {
        takenBack = true;
      },
    });
    cleanups.push(() => watch.stop());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(takenBack).toBe(false);
    up = true;
    const before = leader.checks();
    while (leader.checks() < before + 2) await new Promise((resolve) => setTimeout(resolve, 20));
    up = false;
    for (let i = 0; i < 500 && !takenBack; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(takenBack).toBe(true);
  });

  it("hands over for good once the window is over, and takes nothing back", async () => {
    const leader = await leaderServer(() => true);
    cleanups.push(() => new Promise<void>((resolve) => leader.server.close(() => resolve())));
    const store = await standbyStore(leader.uri);
    let takenBack = false;
    const watch = watchNewLeader({
      store,
      agentId: "agent-a",
      windowMs: 200,
      intervalMs: 50,
      failedChecks: 1,
      logger,
      onTakenBack: () => {
        takenBack = true;
      },
    });
    cleanups.push(() => watch.stop());
    for (let i = 0; i < 100 && store.leadership.current().state === "standby"; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(store.leadership.current()).toMatchObject({ generation: 2, state: "handed_over" });
    expect(takenBack).toBe(false);
    expect(store.intents.pending(UPGRADE_ROLLBACK_INTENT_KIND)).toEqual([]);
  });
});
