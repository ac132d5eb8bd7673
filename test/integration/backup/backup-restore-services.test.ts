import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import {
  BackupRefusedError,
  type BackupTarget,
  backupTags,
  makeBackup,
  openBackup,
  postDataItem,
  publishPointer,
  readPointer,
  restoreBackup,
  sealBackup,
  signDataItem,
} from "../../../src/services/backup/index.js";
import { AgentKeys, EnvKeystore } from "../../../src/services/keys/index.js";
import { byteForms } from "../../../src/services/keys/secret.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";
import {
  type BackupIdentity,
  backupTargetOf,
  emptyDataDir,
  fundArweave,
  mnemonicOnlyKeys,
  newBackupIdentity,
} from "../../support/backup-fixtures.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

/** A store with what a running agent keeps: its snapshot, a child, a lease record, an intent. */
function agentStoreWithState(dseq: string): AgentStore {
  const store = openAgentStore({ dataDir: emptyDataDir("agent-live-") });
  store.snapshots.append({
    machineId: "agent",
    machineVersion: "test",
    snapshotJson: JSON.stringify({
      value: { running: "operating" },
      children: { lease: { snapshot: { context: { lease: { dseq } } } } },
    }),
  });
  store.children.register({
    index: 0,
    id: "child-1",
    addresses: { akash: "akash1child", nostr: "npub1child" },
    role: "replica",
    state: "active",
  });
  store.providerPerformance.leaseStarted({ provider: "akash1provider", dseq, gseq: 1, oseq: 1 });
  store.intents.record({ key: `deploy:${dseq}`, kind: "create-deployment", payload: { dseq } });
  return store;
}

/** Every spelling of every secret the agent holds. */
function secretSpellings(identity: BackupIdentity): string[] {
  const { keys } = identity;
  const jwk = identity.jwk.reveal();
  return [
    identity.mnemonic,
    // Any three words in a row are already too much of the mnemonic to leak.
    identity.mnemonic.split(" ").slice(0, 3).join(" "),
    ...byteForms(keys.nostrKey().privateKey.reveal()),
    keys.nostrKey().nsec.reveal(),
    ...byteForms(keys.encryptionKey().reveal()),
    ...byteForms(keys.akashKey().privateKey.reveal()),
    jwk.d,
    jwk.p,
    jwk.q,
  ];
}

function leftovers(dir: string): string[] {
  return readdirSync(dir);
}

describe("backups on the devnet's Arweave gateway and Nostr relay (services)", () => {
  let devnet: DevnetHandle;
  let target: BackupTarget;
  let agent: BackupIdentity;
  let store: AgentStore;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, arweave: { mineIntervalMs: 200 }, nostr: true });
    target = backupTargetOf(devnet);
    agent = await newBackupIdentity();
    await fundArweave(devnet, agent.keys.identity.arweave!);
    store = agentStoreWithState("1001");
  }, 60_000);

  afterAll(async () => {
    store?.close();
    await devnet?.stop();
  });

  it("backs up, points to it on the relay, and restores it from the mnemonic alone", async () => {
    const result = await makeBackup({ store, keys: agent.keys, target });
    expect(result).toMatchObject({ seq: 1, resumed: false });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.bytes).toBeLessThan(result.storeBytes);

    const found = await readPointer(target.relays, agent.keys.nostrKey());
    expect(found?.pointer).toMatchObject({
      id: result.id,
      seq: 1,
      sha256: result.sha256,
      owner: agent.keys.identity.arweave,
    });

    const dataDir = emptyDataDir();
    const keys = await mnemonicOnlyKeys(agent.mnemonic);
    expect(keys.identity.arweave).toBeNull();
    const restored = await restoreBackup({ keys, target, dataDir });
    expect(restored).toMatchObject({ id: result.id, seq: 1, sha256: result.sha256, source: "relay" });
    expect(restored.summary).toMatchObject({ snapshots: 1, children: 1, leases: 1 });
    const copy = openAgentStore({ dataDir });
    try {
      expect(copy.snapshots.latest("agent")?.snapshotJson).toBe(
        store.snapshots.latest("agent")?.snapshotJson,
      );
      expect(copy.children.byId("child-1")?.role).toBe("replica");
      expect(copy.intents.get("deploy:1001")?.kind).toBe("create-deployment");
      // The backup's own reservation is settled, so the restored agent's next backup takes seq 2.
      expect(copy.intents.pending("backup")).toEqual([]);
    } finally {
      copy.close();
    }
    expect(leftovers(dataDir)).toEqual(["agent.db"]);
  });

  it("never puts a secret into the uploaded bytes or the pointer event", async () => {
    const result = await makeBackup({ store, keys: agent.keys, target });
    expect(result.seq).toBe(2);
    const uploaded = Buffer.from(await (await fetch(`${target.gateway}/${result.bundleId}`)).arrayBuffer());
    expect(uploaded.length).toBeGreaterThan(result.bytes);
    const uploadedText = uploaded.toString("latin1");
    const events = await new Promise<string>((resolve) => {
      const socket = new WebSocket(target.relays[0]!);
      const seen: string[] = [];
      socket.onopen = () => socket.send(JSON.stringify(["REQ", "all", { kinds: [30078] }]));
      socket.onmessage = (message) => {
        seen.push(String(message.data));
        if (String(message.data).startsWith('["EOSE"')) {
          socket.close();
          resolve(seen.join("\n"));
        }
      };
    });
    expect(events).toContain(agent.keys.identity.nostrPubkey);
    for (const secret of secretSpellings(agent)) {
      expect(uploadedText.includes(secret), "a secret is readable in the uploaded bundle").toBe(false);
      expect(events.includes(secret), "a secret is readable in the pointer event").toBe(false);
    }
  });

  it("keeps the previous pointer when the backup stops between upload and pointer, then finishes it", async () => {
    const before = await readPointer(target.relays, agent.keys.nostrKey());
    await expect(
      makeBackup({
        store,
        keys: agent.keys,
        target,
        onStep: (step) => {
          if (step === "served") throw new Error("crash between upload and pointer");
        },
      }),
    ).rejects.toThrow("crash between upload and pointer");
    const after = await readPointer(target.relays, agent.keys.nostrKey());
    expect(after?.pointer).toEqual(before?.pointer);
    const restored = await restoreBackup({
      keys: await mnemonicOnlyKeys(agent.mnemonic),
      target,
      dataDir: emptyDataDir(),
    });
    expect(restored.seq).toBe(before!.pointer.seq);

    const finished = await makeBackup({ store, keys: agent.keys, target });
    expect(finished).toMatchObject({ seq: before!.pointer.seq + 1, resumed: true });
    expect((await readPointer(target.relays, agent.keys.nostrKey()))?.pointer.id).toBe(finished.id);
  });

  it("refuses a truncated or changed backup named by the pointer, writing nothing", async () => {
    const keys = agent.keys;
    const good = await makeBackup({ store, keys, target });
    const sealed = Buffer.from(await (await fetch(`${target.gateway}/${good.id}`)).arrayBuffer());
    expect(openBackup(sealed, keys.encryptionKey()).header.seq).toBe(good.seq);

    const publishBroken = async (bytes: Buffer, recordedSha: string, seq: number) => {
      const item = await signDataItem(bytes, backupTags(keys.identity.agentId, seq), agent.jwk);
      const bundleId = await postDataItem(target.gateway, item, agent.jwk);
      await waitFor(
        async () => ((await fetch(`${target.gateway}/${item.id}`)).ok ? true : undefined),
        20_000,
      );
      const previous = await readPointer(target.relays, keys.nostrKey());
      await publishPointer(
        target.relays,
        keys.nostrKey(),
        {
          v: 1,
          agentId: keys.identity.agentId,
          id: item.id,
          bundleId,
          seq,
          sha256: recordedSha,
          bytes: bytes.length,
          owner: item.owner,
          encryptionIndex: 0,
          createdAt: Date.now(),
        },
        previous!.createdAtSeconds + 1,
      );
    };

    const truncated = sealed.subarray(0, sealed.length - 100);
    await publishBroken(truncated, good.sha256, good.seq);
    const dataDir = emptyDataDir();
    await expect(
      restoreBackup({ keys: await mnemonicOnlyKeys(agent.mnemonic), target, dataDir }),
    ).rejects.toThrow(/does not match the sha256 its pointer recorded/);
    expect(leftovers(dataDir)).toEqual([]);

    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 40]! ^= 0xff;
    const { createHash } = await import("node:crypto");
    await publishBroken(flipped, createHash("sha256").update(flipped).digest("hex"), good.seq);
    const error = await restoreBackup({
      keys: await mnemonicOnlyKeys(agent.mnemonic),
      target,
      dataDir,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupRefusedError);
    expect((error as Error).message).toMatch(/does not decrypt with this agent's encryption key/);
    expect(leftovers(dataDir)).toEqual([]);
  });

  it("refuses foreign backups: another wallet's item, another agent's encryption, found through GraphQL by tags", async () => {
    const victim = await newBackupIdentity();
    const stranger = await newBackupIdentity();
    await fundArweave(devnet, stranger.keys.identity.arweave!);
    // The stranger tags an item with the victim's agent id: once sealed with its own key, once as junk.
    const strangerStore = agentStoreWithState("2002");
    try {
      const sealedByStranger = sealBackup(
        Buffer.from("not the victim's store"),
        {
          v: 1,
          agentId: victim.keys.identity.agentId,
          seq: 7,
          encryptionIndex: 0,
          keyIndices: victim.keys.identity.keyIndices,
          createdAt: Date.now(),
          rawBytes: 22,
        },
        stranger.keys.encryptionKey(),
      );
      const item = await signDataItem(
        sealedByStranger,
        backupTags(victim.keys.identity.agentId, 7),
        stranger.jwk,
      );
      await postDataItem(target.gateway, item, stranger.jwk);
      await waitFor(
        async () => ((await fetch(`${target.gateway}/${item.id}`)).ok ? true : undefined),
        20_000,
      );
    } finally {
      strangerStore.close();
    }
    const noRelay = { ...target, relays: [] };
    const dataDir = emptyDataDir();
    // With only the mnemonic: the wallet is not known, the encryption key refuses it.
    await expect(
      restoreBackup({ keys: await mnemonicOnlyKeys(victim.mnemonic), target: noRelay, dataDir }),
    ).rejects.toThrow(
      /every backup the gateway lists .* was refused: seq 7 .*does not decrypt with this agent's encryption key/,
    );
    // With the victim's wallet in the keystore: the signer itself is refused.
    await expect(restoreBackup({ keys: victim.keys, target: noRelay, dataDir })).rejects.toThrow(
      new RegExp(`signed by Arweave wallet ${stranger.keys.identity.arweave}, not the agent's`),
    );
    expect(existsSync(join(dataDir, "agent.db"))).toBe(false);
    expect(leftovers(dataDir)).toEqual([]);
  });

  it("restores a backup sealed with a rotated encryption key from the words alone, and says which indices it had", async () => {
    const rotatedEnv = { ...agent.env, AGENT_KEY_INDICES: JSON.stringify({ evm: 2, encryption: 3 }) };
    const rotated = AgentKeys.fromContents(await new EnvKeystore({ env: rotatedEnv }).load());
    expect(rotated.identity.agentId).toBe(agent.keys.identity.agentId);
    const made = await makeBackup({ store, keys: rotated, target });
    const restored = await restoreBackup({
      keys: await mnemonicOnlyKeys(agent.mnemonic),
      target,
      dataDir: emptyDataDir(),
    });
    expect(restored).toMatchObject({
      seq: made.seq,
      keyIndices: { akash: 0, evm: 2, nostr: 0, encryption: 3 },
    });
  });

  it("finds the agent's own backup through GraphQL by tags when no relay has the pointer", async () => {
    const dataDir = emptyDataDir();
    const noRelay = { ...target, relays: [] };
    const other = await newBackupIdentity();
    await fundArweave(devnet, other.keys.identity.arweave!);
    const otherStore = agentStoreWithState("3003");
    try {
      const made = await makeBackup({ store: otherStore, keys: other.keys, target });
      const restored = await restoreBackup({
        keys: await mnemonicOnlyKeys(other.mnemonic),
        target: noRelay,
        dataDir,
      });
      expect(restored).toMatchObject({ id: made.id, seq: made.seq, source: "gateway" });
    } finally {
      otherStore.close();
    }
  });
});
