import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NostrDevnet, startNostrDevnet } from "../../../src/devnet/nostr/index.js";
import { AgentError } from "../../../src/errors.js";
import { createLogger } from "../../../src/logging/index.js";
import { refuseIfLeaderElsewhere } from "../../../src/runtime/leader-elsewhere.js";
import { secretBytes } from "../../../src/services/keys/index.js";
import { createAgentAnnouncer } from "../../../src/services/nostr/agent-announcer.js";

const logger = createLogger({ level: "silent", json: true });

describe("a bootstrap refuses to act while its own heartbeats say a later generation leads", () => {
  let relay: NostrDevnet;
  beforeAll(async () => {
    relay = await startNostrDevnet();
  });
  afterAll(async () => {
    await relay?.stop();
  });

  async function agentWithHeartbeat(generation: number, at: number) {
    const secret = generateSecretKey();
    const announcer = createAgentAnnouncer({
      relays: [relay.info.relay],
      signer: () => ({
        pubkey: getPublicKey(secret),
        privateKey: secretBytes(secret),
        sign: (template) => finalizeEvent(template, secret),
      }),
      timeoutMs: 5_000,
      now: () => at,
    });
    await announcer.publishHeartbeat({
      agentId: "agent-x",
      generation,
      leaseState: "active.monitoring",
      provider: "akash1provider",
      runwayDays: 3,
      relayUri: "ws://127.0.0.1:31000",
      at: new Date(at).toISOString(),
    });
    return getPublicKey(secret);
  }

  const check = (pubkey: string, generation: number, now: number) =>
    refuseIfLeaderElsewhere({
      relays: [relay.info.relay],
      pubkey,
      generation,
      staleAfterMs: 180_000,
      now: () => now,
      logger,
    });

  it("refuses (exit code 3) when a fresh heartbeat is of a later generation, naming it and where it runs", async () => {
    const now = Date.now();
    const pubkey = await agentWithHeartbeat(1, now - 10_000);
    const refusal = await check(pubkey, 0, now).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AgentError);
    expect((refusal as AgentError).exitCode).toBe(3);
    expect((refusal as AgentError).message).toMatch(
      /already leads elsewhere as generation 1 \(relay ws:\/\/127\.0\.0\.1:31000, heartbeat 10 s ago\)/,
    );
  });

  it("also refuses on an old heartbeat of a later generation, saying how old it is", async () => {
    const now = Date.now();
    const pubkey = await agentWithHeartbeat(2, now - 3_600_000);
    await expect(check(pubkey, 1, now)).rejects.toThrow(
      /last heartbeat says generation 2 leads .*3600 s ago/,
    );
  });

  it("acts when the heartbeats are of its own generation or older, or when there are none", async () => {
    const now = Date.now();
    const same = await agentWithHeartbeat(1, now);
    await expect(check(same, 1, now)).resolves.toBeUndefined();
    const none = getPublicKey(generateSecretKey());
    await expect(check(none, 0, now)).resolves.toBeUndefined();
    await expect(
      refuseIfLeaderElsewhere({
        relays: [],
        pubkey: none,
        generation: 0,
        staleAfterMs: 1,
        now: () => now,
        logger,
      }),
    ).resolves.toBeUndefined();
  });
});
