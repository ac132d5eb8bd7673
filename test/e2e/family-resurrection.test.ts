import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { readPointer } from "../../src/services/backup/index.js";
import { secretString } from "../../src/services/keys/index.js";
import type { ChildAgent } from "../../src/services/store/child-repository.js";
import { startTestAgent, type TestAgent } from "../support/agent-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { waitFor } from "../support/devnet.js";
import {
  childKeysOf,
  e2eDirs,
  familySettings,
  lastBackupSeq,
  startFamilyDevnet,
} from "../support/family-e2e.js";

const figures: Record<string, number> = {};

/**
 * DESIGN §13, life: the parent watches its child's heartbeats; when the child's provider goes offline
 * (its process with it), the child falls silent and the parent resurrects it once, on another provider,
 * from the child's latest Arweave backup; the child leads itself again and beats.
 * The runner-level resurrection (its refusals, its resumption) is test/e2e/child-resurrection.test.ts.
 */
describe("a silent child whose lease is gone is resurrected by its parent", () => {
  let devnet: DevnetHandle;
  let parent: TestAgent;
  const dirs = e2eDirs();
  const children = (): ChildAgent[] => parent.store.children.all();

  /** The parent's family machine and registry, for a failure's message. */
  function familyState(): string {
    const reproduction = parent.runtime.actor.getSnapshot().children.reproduction?.getSnapshot() as
      | { value: unknown; context: { lastError: unknown; requests: unknown; children: unknown } }
      | undefined;
    const { lastError, requests, children: watched } = reproduction?.context ?? {};
    return JSON.stringify({ value: reproduction?.value, lastError, requests, watched, registry: children() });
  }

  beforeAll(async () => {
    devnet = await startFamilyDevnet({ providers: 4, logDir: dirs.make("resurrect-logs-") });
    parent = await startTestAgent(devnet, {
      // The child's Arweave wallet is kept in the parent's keystore: it must be one that saves.
      durableKeystore: true,
      dataDir: dirs.make("resurrect-parent-"),
      settings: { ...familySettings, "reproduction.maxChildren": 1, "reproduction.triggers": [] },
    });
    await parent.until("active.monitoring");
  }, 120_000);

  afterAll(async () => {
    await parent?.close();
    await devnet?.stop();
    dirs.cleanUp();
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
      throw new Error(`${(error as Error).message}: ${familyState()}`);
    });
    const childKeys = await childKeysOf(secretString(parent.mnemonic), born.index!);
    // Its own instance backs itself up once it leads: that is the state it comes back from. (Taken
    // down before that, it comes back from its bootstrap's backup: see adopt-known-leader.test.ts.)
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
      240_000,
      "the child resurrected",
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${familyState()}`);
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
    // The registry notes the resurrection as a heartbeat: a later one is the child's own.
    const resurrectedAt = Date.now();
    await waitFor(
      async () =>
        (children().find((known) => known.id === born.id)?.lastHeartbeatAt ?? 0) > resurrectedAt
          ? true
          : undefined,
      60_000,
      "a heartbeat from the resurrected child",
    );
    figures.providerDownToHeartbeatMs = Math.round(performance.now() - down);
    const reproduction = (
      parent.runtime.actor.getSnapshot().children as Record<
        string,
        { getSnapshot(): { context: { children: Array<{ childId: string; resurrections: number }> } } }
      >
    ).reproduction?.getSnapshot();
    expect(reproduction?.context.children.find((c) => c.childId === born.id)?.resurrections).toBe(1);
  }, 480_000);
});
