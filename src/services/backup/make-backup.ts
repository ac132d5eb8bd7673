import { createHash } from "node:crypto";
import type { AgentKeys } from "../keys/agent-keys.js";
import type { AgentStore } from "../store/agent-store.js";
import type { Intent } from "../store/intent-repository.js";
import {
  itemIsServed,
  loadArbundles,
  postDataItem,
  type SignedItem,
  signDataItem,
} from "./arweave-gateway.js";
import { sealBackup } from "./backup-envelope.js";
import { BackupError } from "./backup-errors.js";
import { type BackupPointer, publishPointer, readPointer } from "./backup-pointer.js";
import { backupTags } from "./backup-tags.js";
import type { BackupTarget } from "./backup-target.js";
import { BACKUP_INTENT_KIND, BACKUP_UPLOAD_INTENT_KIND, exportStore } from "./store-export.js";

/** The steps a crash test can stop a backup after (see the runtime's backup crash point). */
export const backupSteps = ["sealed", "uploaded", "served"] as const;
export type BackupStep = (typeof backupSteps)[number];

export interface BackupDeps {
  readonly store: AgentStore;
  readonly keys: AgentKeys;
  readonly target: BackupTarget;
  readonly now?: () => number;
  /** Called after each durable step; crash tests kill the process here. */
  readonly onStep?: (step: BackupStep) => void | Promise<void>;
}

/** What `akash-agent backup --json` prints, plus the sizes the note reports. */
export interface BackupResult {
  readonly id: string;
  readonly seq: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly bundleId: string;
  /** The whole store as read, and the export before compression and encryption. */
  readonly storeBytes: number;
  readonly exportBytes: number;
  /** True when this call finished a backup an earlier, interrupted call had started. */
  readonly resumed: boolean;
}

const reservationKey = (seq: number) => `backup:${seq}`;
const uploadKey = (seq: number) => `backup-upload:${seq}`;

interface UploadPayload {
  readonly pointer: Omit<BackupPointer, "bundleId">;
  readonly storeBytes: number;
  readonly exportBytes: number;
}

function seqOf(intent: Intent): number {
  const seq = (intent.payload as { seq?: unknown } | null)?.seq;
  if (typeof seq !== "number")
    throw new BackupError(`backup intent ${intent.key} has no seq: the store is damaged`);
  return seq;
}

/** The highest backup seq this store has reserved (done or not). */
function highestLocalSeq(store: AgentStore): number {
  const row = store.db
    .prepare<[string], { seq: number | null }>(
      "SELECT max(json_extract(payload_json, '$.seq')) AS seq FROM intents WHERE kind = ?",
    )
    .get(BACKUP_INTENT_KIND);
  return row?.seq ?? 0;
}

/**
 * Whether the backup reserved as `seq` can be finished as recorded: either nothing was signed for it yet,
 * or the signed item is still kept beside its pointer fields. A store that is a copy made by exportStore
 * (the instance's import at a handover, or a restore) has the pointer fields of a backup its leader began
 * but not the item they name: signing a new one would publish those fields (that item's id) with a bundle
 * that holds another item.
 */
function canResume(store: AgentStore, seq: number): boolean {
  const upload = store.intents.get(uploadKey(seq));
  return !upload || (upload.state === "pending" && upload.txBytes !== null);
}

/** Settles a backup that cannot be finished; the next one takes a later seq (its leader may finish this one). */
function giveUp(store: AgentStore, seq: number): void {
  const reason = "its signed data item is not in this store (a copy of the store that began it)";
  store.transaction(() => {
    store.intents.fail(uploadKey(seq), reason);
    store.intents.fail(reservationKey(seq), reason);
  });
}

/** The pointer must name the very item that is posted: the bundle holds that one and no other. */
async function assertPointerNames(pointer: UploadPayload["pointer"], item: SignedItem): Promise<void> {
  const { DataItem } = await loadArbundles();
  const recorded = new DataItem(item.raw);
  const sha256 = createHash("sha256").update(recorded.rawData).digest("hex");
  if (
    pointer.id !== recorded.id ||
    item.id !== recorded.id ||
    pointer.sha256 !== sha256 ||
    pointer.bytes !== recorded.rawData.length
  ) {
    throw new BackupError(
      `backup ${pointer.seq}'s recorded pointer names data item ${pointer.id}, not the recorded item ${recorded.id}: the store is damaged; the previous pointer stays`,
    );
  }
}

async function waitUntilServed(target: BackupTarget, id: string): Promise<void> {
  const deadline = Date.now() + target.availableTimeoutMs;
  for (;;) {
    if (await itemIsServed(target.gateway, id)) return;
    if (Date.now() >= deadline) {
      throw new BackupError(
        `the Arweave gateway ${target.gateway} did not serve backup ${id} within ${target.availableTimeoutMs} ms; the previous pointer stays, the next attempt posts it again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, target.pollIntervalMs ?? 500));
  }
}

/**
 * Makes one backup, or finishes the one a crash interrupted. Crash-safe and upload first, pointer last:
 * 1. reserve the next seq (above both this store's and the relays' latest) as a pending intent;
 * 2. export the store, seal it, sign the data item, and record item and pointer fields as a second
 *    intent before posting (a retry posts the very same item, so one seq never names two backups);
 * 3. post it, wait until the gateway serves it, and only then replace the pointer on the relays;
 * 4. mark both intents done.
 * A crash anywhere before 3's pointer leaves the previous pointer as it was, naming a valid backup.
 * A store copied by exportStore (a handover's import) lacks the signed item of a backup its leader
 * began: that seq is given up here and a fresh backup takes the next, since fields recorded for one
 * item must never be published with a bundle that carries another.
 */
export async function makeBackup(deps: BackupDeps): Promise<BackupResult> {
  const { store, keys, target } = deps;
  const now = deps.now ?? Date.now;
  const agentId = keys.identity.agentId;
  const nostr = keys.nostrKey();
  const previous = await readPointer(target.relays, nostr);

  const unfinished = store.intents.pending(BACKUP_INTENT_KIND).sort((a, b) => seqOf(a) - seqOf(b));
  let reservation = unfinished.at(-1);
  // Older reservations were overtaken by a later one: that later backup holds everything they held.
  for (const stale of unfinished.slice(0, -1)) store.intents.fail(stale.key, "overtaken by a later backup");
  if (reservation && !canResume(store, seqOf(reservation))) {
    giveUp(store, seqOf(reservation));
    reservation = undefined;
  }
  const resumed = reservation !== undefined;
  if (!reservation) {
    const seq = Math.max(highestLocalSeq(store), previous?.pointer.seq ?? 0) + 1;
    reservation = store.intents.record({
      key: reservationKey(seq),
      kind: BACKUP_INTENT_KIND,
      payload: { seq, agentId },
    }).intent;
  }
  const seq = seqOf(reservation);

  let upload = store.intents.get(uploadKey(seq));
  let item: SignedItem;
  if (upload?.txBytes) {
    const payload = upload.payload as unknown as UploadPayload;
    item = { id: payload.pointer.id, owner: payload.pointer.owner, raw: Buffer.from(upload.txBytes) };
  } else {
    const exported = exportStore(store.db);
    const encryptionIndex = keys.identity.keyIndices.encryption;
    const createdAt = now();
    const sealed = sealBackup(
      exported.bytes,
      {
        v: 1,
        agentId,
        seq,
        encryptionIndex,
        keyIndices: keys.identity.keyIndices,
        createdAt,
        rawBytes: exported.bytes.length,
      },
      keys.encryptionKey(encryptionIndex),
    );
    item = await signDataItem(sealed, backupTags(agentId, seq), keys.arweaveJwk());
    const payload: UploadPayload = {
      pointer: {
        v: 1,
        agentId,
        id: item.id,
        seq,
        sha256: createHash("sha256").update(sealed).digest("hex"),
        bytes: sealed.length,
        owner: item.owner,
        encryptionIndex,
        createdAt,
      },
      storeBytes: exported.storeBytes,
      exportBytes: exported.bytes.length,
    };
    store.transaction(() => {
      const { created } = store.intents.record({
        key: uploadKey(seq),
        kind: BACKUP_UPLOAD_INTENT_KIND,
        payload,
      });
      // The stored row would keep its own pointer fields while naming this item: refuse to mix them.
      if (!created)
        throw new BackupError(`backup ${seq} already has a recorded upload: the store is damaged`);
      store.intents.attachTx(uploadKey(seq), { hash: item.id, bytes: item.raw });
    });
    upload = store.intents.get(uploadKey(seq));
    await deps.onStep?.("sealed");
  }
  const payload = upload!.payload as unknown as UploadPayload;
  await assertPointerNames(payload.pointer, item);

  let bundleId = upload!.txHash !== item.id ? upload!.txHash : null;
  if (!bundleId || !(await itemIsServed(target.gateway, item.id))) {
    bundleId = await postDataItem(target.gateway, item, keys.arweaveJwk());
    store.intents.attachTx(uploadKey(seq), { hash: bundleId });
  }
  await deps.onStep?.("uploaded");
  await waitUntilServed(target, item.id);
  await deps.onStep?.("served");

  const pointer: BackupPointer = { ...payload.pointer, bundleId };
  // Read again: another process with this agent's keys (the bootstrap and its instance around a
  // handover) may have published a later backup meanwhile, which this older one must not replace.
  const latest = await readPointer(target.relays, nostr);
  if (!latest || latest.pointer.seq <= seq) {
    const createdAtSeconds = Math.max(Math.floor(now() / 1000), (latest?.createdAtSeconds ?? 0) + 1);
    await publishPointer(target.relays, nostr, pointer, createdAtSeconds);
  }
  store.transaction(() => {
    store.intents.complete(uploadKey(seq), { txHash: bundleId });
    store.intents.complete(reservationKey(seq));
    // The signed item was kept only so a retry could post the very same one: once the pointer names
    // it, the copy on Arweave is the one that counts, and the store need not grow by a backup each time.
    store.db
      .prepare("UPDATE intents SET tx_bytes = NULL WHERE key = ? AND state = 'done'")
      .run(uploadKey(seq));
  });
  return {
    id: item.id,
    seq,
    bytes: pointer.bytes,
    sha256: pointer.sha256,
    bundleId,
    storeBytes: payload.storeBytes,
    exportBytes: payload.exportBytes,
    resumed,
  };
}
