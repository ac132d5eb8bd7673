import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import {
  type BackupStep,
  type BackupTarget,
  backupTags,
  exportStore,
  fetchVerifiedItem,
  makeBackup,
  readPointer,
  restoreBackup,
  signDataItem,
} from "../../../src/services/backup/index.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";
import {
  type BackupIdentity,
  backupTargetOf,
  emptyDataDir,
  fundArweave,
  mnemonicOnlyKeys,
  newBackupIdentity,
} from "../../support/backup-fixtures.js";
import { startTestDevnet } from "../../support/devnet.js";

class Crash extends Error {}

/** A bootstrap's store with the agent's state, as `run` keeps it. */
function bootstrapStore(): AgentStore {
  const store = openAgentStore({ dataDir: emptyDataDir("agent-bootstrap-") });
  store.snapshots.append({
    machineId: "agent",
    machineVersion: "test",
    snapshotJson: JSON.stringify({ value: { running: "operating" } }),
  });
  return store;
}

/** What a deployed instance opens after its activation: the leader's store as exportStore made it. */
function importedByInstance(store: AgentStore): AgentStore {
  const dataDir = emptyDataDir("agent-instance-");
  writeFileSync(join(dataDir, "agent.db"), exportStore(store.db).bytes);
  return openAgentStore({ dataDir });
}

describe("a backup the bootstrap began and its instance finishes after the handover", () => {
  let devnet: DevnetHandle;
  let target: BackupTarget;
  let agent: BackupIdentity;
  const stores: AgentStore[] = [];

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, arweave: { mineIntervalMs: 200 }, nostr: true });
    target = backupTargetOf(devnet);
    agent = await newBackupIdentity();
    await fundArweave(devnet, agent.keys.identity.arweave!);
  }, 60_000);

  afterAll(async () => {
    for (const store of stores) store.close();
    await devnet?.stop();
  });

  /** The pointer on the relay names a bundle that holds its item, and a restore from it succeeds. */
  async function expectPointerRestorable(): Promise<number> {
    const found = await readPointer(target.relays, agent.keys.nostrKey());
    expect(found).not.toBeNull();
    const { pointer } = found!;
    const item = await fetchVerifiedItem(target.gateway, pointer.bundleId, pointer.id);
    expect(item.id).toBe(pointer.id);
    const restored = await restoreBackup({
      keys: await mnemonicOnlyKeys(agent.mnemonic),
      target,
      dataDir: emptyDataDir(),
    });
    expect(restored).toMatchObject({ id: pointer.id, seq: pointer.seq, sha256: pointer.sha256 });
    return pointer.seq;
  }

  for (const stoppedAfter of ["sealed", "uploaded"] as const satisfies readonly BackupStep[]) {
    it(`publishes a pointer whose bundle holds its item (bootstrap stopped after "${stoppedAfter}")`, async () => {
      const bootstrap = bootstrapStore();
      stores.push(bootstrap);
      const crashAt = (step: BackupStep) => {
        if (step === stoppedAfter) throw new Crash(step);
      };
      await expect(
        makeBackup({ store: bootstrap, keys: agent.keys, target, onStep: crashAt }),
      ).rejects.toThrow(Crash);
      const begun = bootstrap.intents.pending("backup-upload");
      expect(begun).toHaveLength(1);

      const instance = importedByInstance(bootstrap);
      stores.push(instance);
      const result = await makeBackup({ store: instance, keys: agent.keys, target });
      // The copy has the begun backup's pointer fields but not its signed item: it takes the next seq.
      const begunSeq = (begun[0]!.payload as { pointer: { seq: number } }).pointer.seq;
      expect(result).toMatchObject({ seq: begunSeq + 1, resumed: false });
      expect(instance.intents.get(begun[0]!.key)?.state).toBe("failed");
      expect(await expectPointerRestorable()).toBe(result.seq);
      // The instance's next backup is an ordinary one, with a later seq.
      const next = await makeBackup({ store: instance, keys: agent.keys, target });
      expect(next).toMatchObject({ seq: result.seq + 1, resumed: false });
      expect(await expectPointerRestorable()).toBe(next.seq);

      // The bootstrap finishing its own backup afterwards leaves a restorable pointer too.
      await makeBackup({ store: bootstrap, keys: agent.keys, target });
      await expectPointerRestorable();
    }, 90_000);
  }

  it("refuses to publish a pointer whose recorded fields name another item than the recorded one", async () => {
    const store = bootstrapStore();
    stores.push(store);
    const before = await readPointer(target.relays, agent.keys.nostrKey());
    const crashAt = (step: BackupStep) => {
      if (step === "sealed") throw new Crash(step);
    };
    await expect(makeBackup({ store, keys: agent.keys, target, onStep: crashAt })).rejects.toThrow(Crash);
    const [upload] = store.intents.pending("backup-upload");
    const other = await signDataItem(randomBytes(512), backupTags("other", 1), agent.jwk);
    store.intents.attachTx(upload!.key, { hash: other.id, bytes: other.raw });

    await expect(makeBackup({ store, keys: agent.keys, target })).rejects.toThrow(
      new RegExp(`names data item \\S+, not the recorded item ${other.id}: the store is damaged`),
    );
    const after = await readPointer(target.relays, agent.keys.nostrKey());
    expect(after?.pointer).toEqual(before?.pointer);
    await expectPointerRestorable();
  }, 60_000);

  it("keeps the later backup's pointer when the other process publishes an earlier seq after it", async () => {
    const bootstrap = bootstrapStore();
    stores.push(bootstrap);
    await expect(
      makeBackup({
        store: bootstrap,
        keys: agent.keys,
        target,
        onStep: (step) => {
          if (step === "sealed") throw new Crash(step);
        },
      }),
    ).rejects.toThrow(Crash);
    const instance = importedByInstance(bootstrap);
    stores.push(instance);
    let later = 0;
    // The bootstrap finishes its begun backup while the instance makes and publishes a later one.
    const finished = await makeBackup({
      store: bootstrap,
      keys: agent.keys,
      target,
      onStep: async (step) => {
        if (step === "served") later = (await makeBackup({ store: instance, keys: agent.keys, target })).seq;
      },
    });
    expect(finished.resumed).toBe(true);
    expect(later).toBe(finished.seq + 1);
    expect(await expectPointerRestorable()).toBe(later);
  }, 60_000);
});
