import { fetchRelayInformation } from "nostr-tools/nip11";
import { type Event, finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import type { HealthReport } from "../../../src/machines/health/health.types.js";
import { startTestAgentProcess, type TestAgentProcess } from "../../support/agent-process-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";

// Node 20 has no global WebSocket: nostr-tools takes ws's.
useWebSocketImplementation(WebSocket);

const note = (secret: Uint8Array, content: string) =>
  finalizeEvent({ kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content }, secret);

/**
 * The relay the agent serves on its own port: nostr-tools clients publish and subscribe, its measured
 * traffic is what the health monitor reads, and a scripted load of many clients makes the agent
 * redeploy itself larger.
 */
describe("the agent's relay", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let agent: TestAgentProcess;
  let relayUrl: string;
  const relays: Relay[] = [];

  const connect = async () => {
    const relay = await Relay.connect(relayUrl);
    relays.push(relay);
    return relay;
  };

  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
    // 2 cpu units handle 200 events/s by the sizing rule: at a 5 % threshold, 10 events/s is too many.
    agent = await startTestAgentProcess(devnet, { settings: { "thresholds.cpuPercent": 5 } });
    relayUrl = agent.url.replace(/^http/, "ws");
    await agent.until("active");
  });

  afterAll(async () => {
    for (const relay of relays) relay.close();
    await agent?.close();
    await devnet?.stop();
  });

  it("serves NIP-01 to nostr-tools clients: publish, live subscription, stored query; NIP-11 and NIP-42", async () => {
    const info = await fetchRelayInformation(relayUrl);
    expect(info.supported_nips).toEqual([1, 11, 42]);

    const author = generateSecretKey();
    const reader = await connect();
    const live: Event[] = [];
    let eose: () => void = () => {};
    const eosed = new Promise<void>((resolve) => {
      eose = resolve;
    });
    reader.subscribe([{ kinds: [1], authors: [getPublicKey(author)] }], {
      onevent: (event) => live.push(event),
      oneose: () => eose(),
    });
    await eosed;

    const writer = await connect();
    const event = note(author, "hello from a client");
    await writer.publish(event);
    await waitFor(() => (live.length === 1 ? true : undefined), 5_000, "the live event");
    expect(live[0]?.id).toBe(event.id);

    const stored = await new Promise<Event[]>((resolve) => {
      const found: Event[] = [];
      const sub = writer.subscribe([{ ids: [event.id] }], {
        onevent: (e) => found.push(e),
        oneose: () => {
          sub.close();
          resolve(found);
        },
      });
    });
    expect(stored.map((e) => e.content)).toEqual(["hello from a client"]);

    // NIP-42: the relay's hostname is the host in the URL the client signs.
    const authed = new Relay(relayUrl);
    relays.push(authed);
    const challenge = new Promise<void>((resolve) => {
      authed.onauth = async (template) => {
        resolve();
        return finalizeEvent(template, author);
      };
    });
    await authed.connect();
    await challenge;
    await expect(authed.auth(async (template) => finalizeEvent(template, author))).resolves.toBeDefined();
    expect(agent.relay.traffic()).toMatchObject({
      eventsAccepted: 1,
      openConnections: 3,
      eventsByKind: { "1": 1 },
    });
    expect(agent.relay.traffic().storedBytes).toBeGreaterThan(0);
  });

  it("hands the measured events/s and connections to the health monitor, and scales up under a scripted load", async () => {
    const before = agent.runtime.lease()!;
    expect(agent.view.leaseResources()?.cpuUnits).toBe(2);
    const clients = await Promise.all(Array.from({ length: 20 }, () => connect()));
    expect(agent.relay.traffic().openConnections).toBeGreaterThanOrEqual(20);
    const secrets = clients.map(() => generateSecretKey());

    // 20 clients × 10 events/s until the lease starts scaling (or 15 s pass).
    let stop = false;
    const load = (async () => {
      for (let round = 0; round < 150 && !stop; round += 1) {
        await Promise.all(clients.map((client, i) => client.publish(note(secrets[i]!, `load ${round}`))));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const health = () =>
      (
        agent.runtime.actor.getSnapshot().children.health?.getSnapshot() as
          | { context: { lastReport: HealthReport | null } }
          | undefined
      )?.context.lastReport ?? null;
    const loaded = await waitFor(
      () => {
        const usage = health()?.usage;
        return usage && usage.cpuPercent > 5 ? usage : undefined;
      },
      15_000,
      "a health report with the relay's load",
    );
    expect(loaded.cpuPercent).toBeGreaterThan(5);
    // What the health monitor read is the relay's own measurement against the lease's size.
    expect(agent.relay.traffic().eventsPerSecond).toBeGreaterThan(10);

    const scaled = await agent.until("active", () => (agent.view.leaseResources()?.cpuUnits ?? 2) > 2);
    stop = true;
    await load;
    expect(agent.view.leaseResources()?.cpuUnits).toBeGreaterThanOrEqual(4);
    // A redeploy: a new deployment sized for the load replaced the first.
    expect(scaled.dseq).not.toBe(before.dseq);
    expect(scaled.state).toMatch(/^active/);
    expect(before.state).toMatch(/^active/);
  });
});
