import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EffectError } from "../../../src/domain/effect-failure.js";
import type { SigningClient } from "../../../src/services/akash/signing-client.js";
import { TxExecutor } from "../../../src/services/akash/tx-executor.js";
import { type AgentStore, openAgentStore, StoreError } from "../../../src/services/store/index.js";

const leader = { dseq: "42", provider: "akash1provider", uri: "127.0.0.1:31000" };

/** A transaction executor over the store's intents and leadership, with a signer of the test's. */
function executorOver(store: AgentStore, signer: SigningClient): TxExecutor {
  return new TxExecutor({
    signer,
    intents: store.intents,
    leadership: store.leadership,
    chainId: "devnet",
    pollIntervalMs: 10,
    inclusionTimeoutMs: 100,
  });
}

describe("store: leadership (DESIGN §12)", () => {
  it("leads as generation 0 until a handover is recorded, and never goes back to an older generation", () => {
    const store = openAgentStore({ dataDir: mkdtempSync(join(tmpdir(), "leadership-")), clock: () => 5 });
    try {
      expect(store.leadership.current()).toEqual({
        generation: 0,
        state: "leading",
        leader: null,
        updatedAt: 0,
      });
      expect(store.leadership.acting()).toBe(true);
      store.leadership.record({ generation: 1, state: "handing_over", leader });
      expect(store.leadership.acting()).toBe(false);
      store.leadership.record({ generation: 1, state: "handed_over", leader });
      expect(store.leadership.current()).toEqual({
        generation: 1,
        state: "handed_over",
        leader,
        updatedAt: 5,
      });
      expect(() => store.leadership.record({ generation: 0, state: "leading", leader: null })).toThrow(
        StoreError,
      );
      expect(store.leadership.current().state).toBe("handed_over");
    } finally {
      store.close();
    }
  });

  it("survives reopening the store", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "leadership-"));
    const first = openAgentStore({ dataDir });
    first.leadership.record({ generation: 3, state: "leading", leader });
    first.close();
    const again = openAgentStore({ dataDir });
    try {
      expect(again.leadership.current()).toMatchObject({ generation: 3, state: "leading", leader });
    } finally {
      again.close();
    }
  });

  it("a store that handed over sends no transaction: refused before any intent or chain call", async () => {
    const store = openAgentStore({ dataDir: mkdtempSync(join(tmpdir(), "leadership-")) });
    try {
      store.leadership.record({ generation: 1, state: "handed_over", leader });
      const calls: string[] = [];
      const signer = new Proxy({} as SigningClient, {
        get: (_target, name) => () => {
          calls.push(String(name));
          throw new Error("the signer must not be used");
        },
      });
      const executor = executorOver(store, signer);
      const job = {
        key: "agent:topup:1",
        kind: "deposit",
        payload: null,
        effectHolds: async () => {
          calls.push("effectHolds");
          return false;
        },
        messages: async () => [],
      };
      const refusal = await executor.run(job).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(EffectError);
      expect((refusal as EffectError).message).toMatch(/handed over \(generation 1\) and no longer acts/);
      expect(calls).toEqual([]);
      expect(store.intents.get(job.key)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it("effects paused for a handover are refused as retryable, new ones only, until resumed; a restart clears the pause", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "leadership-"));
    const store = openAgentStore({ dataDir });
    try {
      const executor = executorOver(
        store,
        new Proxy({} as SigningClient, {
          get: () => () => {
            throw new Error("the signer must not be used while paused");
          },
        }),
      );
      const job = {
        key: "agent:topup:2",
        kind: "deposit",
        payload: null,
        effectHolds: async () => false,
        messages: async () => [],
      };
      expect(store.leadership.effectRefusal()).toBeNull();
      store.leadership.pauseEffects("handing over to generation 1 in lease 42");
      expect(store.leadership.effectRefusal()).toEqual({
        reason: "effects are paused: handing over to generation 1 in lease 42",
        final: false,
      });
      const refusal = (await executor.run(job).catch((error: unknown) => error)) as EffectError;
      expect(refusal).toBeInstanceOf(EffectError);
      expect(refusal.kind).toBe("retryable");
      expect(refusal.message).toContain("effects are paused: handing over to generation 1");
      expect(store.intents.get(job.key)).toBeUndefined();
      store.leadership.resumeEffects();
      expect(store.leadership.effectRefusal()).toBeNull();

      store.leadership.pauseEffects("handing over");
    } finally {
      store.close();
    }
    const reopened = openAgentStore({ dataDir });
    try {
      expect(reopened.leadership.effectRefusal()).toBeNull();
      reopened.leadership.record({ generation: 1, state: "handed_over", leader });
      expect(reopened.leadership.effectRefusal()).toMatchObject({ final: true });
    } finally {
      reopened.close();
    }
  });
});
