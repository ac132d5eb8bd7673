import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { readPointer } from "../../src/services/backup/index.js";
import { deriveChildMnemonic } from "../../src/services/keys/child-mnemonic.js";
import { AgentKeys, EnvKeystore, secretString } from "../../src/services/keys/index.js";
import type { ChildAgent } from "../../src/services/store/child-repository.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { startTestAgent, type TestAgent } from "../support/agent-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

const figures: Record<string, number> = {};

/** The seq of the last backup a data dir's own backup machine recorded (0: none). */
function lastBackupSeq(dataDir: string): number {
  const store = openAgentStore({ dataDir, readOnly: true });
  try {
    const latest = store.snapshots.latest("backup");
    if (!latest) return 0;
    const snapshot = JSON.parse(latest.snapshotJson) as { context?: { last?: { seq?: number } | null } };
    return snapshot.context?.last?.seq ?? 0;
  } finally {
    store.close();
  }
}

/**
 * DESIGN §13, life: the parent watches its child's heartbeats; when the child's provider goes offline
 * (its process with it), the child falls silent and the parent resurrects it once, on another provider,
 * from the child's latest Arweave backup; the child leads itself again and beats.
 */
// Slow and load-sensitive (a silence window, a restore, a redeploy): run with AGENT_FAMILY_RESURRECTION_E2E=1.
// The runner-level resurrection (test/e2e/child-resurrection.test.ts) runs in every `npm test`.
describe.skipIf(!process.env.AGENT_FAMILY_RESURRECTION_E2E)(
  "a silent child whose lease is gone is resurrected by its parent",
  () => {
    let devnet: DevnetHandle;
    let parent: TestAgent;
    const dirs: string[] = [];
    const tempDir = (prefix: string) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    };
    const children = (): ChildAgent[] => parent.store.children.all();

    beforeAll(async () => {
      devnet = await startTestDevnet({
        providers: 4,
        nostr: true,
        arweave: { mineIntervalMs: 200 },
        ...agentProcessOptions(tempDir("resurrect-logs-")),
      });
      parent = await startTestAgent(devnet, {
        // The child's Arweave wallet is kept in the parent's keystore: it must be one that saves.
        durableKeystore: true,
        settings: {
          "agent.sdlProfile": "relay",
          "agent.relayDomain": "127.0.0.1",
          "heartbeat.intervalMs": 1_000,
          "backup.availableTimeoutMs": 20_000,
          "reproduction.enabled": true,
          "reproduction.maxChildren": 1,
          "reproduction.triggers": [],
          "reproduction.childBudgetUact": "20000000",
          "reproduction.heartbeatCheckMs": 500,
          "reproduction.silenceThresholdMs": 15_000,
          "budget.treasuryMinimumUsd": 0,
          "budget.dailySpendCapUsd": 1_000,
        },
      });
      await parent.until("active.monitoring");
    }, 120_000);

    afterAll(async () => {
      await parent?.close();
      await devnet?.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      console.log(`resurrection figures: ${JSON.stringify(figures)}`);
    });

    it("resurrects it elsewhere, once, from its backup", async () => {
      parent.runtime.send(
        { type: "REPRODUCTION.SPAWN", requestId: "spawn-1", role: "replica", region: null },
        "test",
      );
      const born = await waitFor(
        async () => children().find((known) => known.state === "active"),
        180_000,
        "the child active",
      ).catch((error: unknown) => {
        const reproduction = (
          parent.runtime.actor.getSnapshot().children as Record<
            string,
            { getSnapshot(): { value: unknown; context: { lastError: unknown; requests: unknown } } }
          >
        ).reproduction?.getSnapshot();
        throw new Error(
          `${(error as Error).message}: ${JSON.stringify({ value: reproduction?.value, lastError: reproduction?.context.lastError, requests: reproduction?.context.requests, children: children() })}`,
        );
      });
      const childKeys = AgentKeys.fromContents(
        await new EnvKeystore({
          env: { AGENT_MNEMONIC: deriveChildMnemonic(secretString(parent.mnemonic), born.index!).reveal() },
        }).load(),
      );
      // Its own instance backs itself up once it leads: that is the state it comes back from.
      const bootstrapSeq = lastBackupSeq(join(parent.dataDir, "children", born.id));
      await waitFor(
        async () => {
          const found = await readPointer([devnet.nostr!.relay], childKeys.nostrKey());
          return found && found.pointer.seq > bootstrapSeq ? found : undefined;
        },
        60_000,
        "a backup of the child's own instance",
      );

      // Its provider goes offline and takes the child's process with it.
      await devnet.setProviderOnline(born.provider!, false);
      const down = performance.now();
      const back = await waitFor(
        async () => {
          const now = children().find((known) => known.id === born.id);
          // A new lease elsewhere: of a new deployment, or of the same one once its lease is gone.
          return now?.state === "active" && now.provider !== born.provider ? now : undefined;
        },
        180_000,
        "the child resurrected",
      ).catch((error: unknown) => {
        const reproduction = (
          parent.runtime.actor.getSnapshot().children as Record<
            string,
            { getSnapshot(): { value: unknown; context: { lastError: unknown; children: unknown } } }
          >
        ).reproduction?.getSnapshot();
        throw new Error(
          `${(error as Error).message}: ${JSON.stringify({ value: reproduction?.value, lastError: reproduction?.context.lastError, children: reproduction?.context.children, registry: children() })}`,
        );
      });
      figures.providerDownToResurrectedMs = Math.round(performance.now() - down);
      expect(back.generation).toBeGreaterThan(1);

      // Once: one active deployment of the child, and it beats again at its parent.
      const audit = chainAudit(devnet);
      const open = (await audit.deployments(born.addresses.akash!)).filter(
        (d) => d.state === DEPLOYMENT_ACTIVE,
      );
      expect(open.map((d) => d.dseq)).toEqual([back.dseq]);
      const leases = (await audit.leases(born.addresses.akash!)).filter((lease) => lease.state === 1);
      expect(leases.map((lease) => lease.provider)).toEqual([back.provider]);
      const resurrectedAt = Date.now();
      await waitFor(
        async () =>
          (children().find((known) => known.id === born.id)?.lastHeartbeatAt ?? 0) > resurrectedAt
            ? true
            : undefined,
        30_000,
        "a heartbeat from the resurrected child",
      );
      const reproduction = (
        parent.runtime.actor.getSnapshot().children as Record<
          string,
          { getSnapshot(): { context: { children: Array<{ childId: string; resurrections: number }> } } }
        >
      ).reproduction?.getSnapshot();
      expect(reproduction?.context.children.find((c) => c.childId === born.id)?.resurrections).toBe(1);
    }, 420_000);
  },
);
