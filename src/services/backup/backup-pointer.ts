import type { Event } from "nostr-tools/core";
import * as nip44 from "nostr-tools/nip44";
import { finalizeEvent, verifyEvent } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { z } from "zod";
import type { NostrKey } from "../keys/nostr-key.js";
import { BackupError } from "./backup-errors.js";

// Node 20 has no global WebSocket: nostr-tools takes ws's.
useWebSocketImplementation(WebSocket);

/** NIP-78 application data: a parameterized replaceable event, one per author and `d` tag. */
export const POINTER_KIND = 30078;
export const POINTER_D_TAG = "akash-agent/backup-pointer";

const pointerSchema = z.strictObject({
  v: z.literal(1),
  agentId: z.string().min(1),
  /** The data item's id on Arweave. */
  id: z.string().min(1),
  /** The bundle transaction that carries it. */
  bundleId: z.string().min(1),
  seq: z.number().int().positive(),
  /** sha256 (hex) of the sealed backup, the data item's data. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  /** Arweave address that signed the data item: a restore without that wallet checks against this. */
  owner: z.string().min(1),
  encryptionIndex: z.number().int().min(0),
  createdAt: z.number().int().positive(),
});

/** Where the latest backup is, as the agent tells itself on Nostr. */
export type BackupPointer = z.infer<typeof pointerSchema>;

export interface FoundPointer {
  readonly pointer: BackupPointer;
  /** The event's created_at (s): a newer pointer must carry a later one to replace it. */
  readonly createdAtSeconds: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

function conversationKey(key: NostrKey): Uint8Array {
  return nip44.getConversationKey(key.privateKey.reveal(), key.pubkey);
}

async function withRelay<T>(url: string, use: (relay: Relay) => Promise<T>): Promise<T> {
  const relay = await Relay.connect(url, { enablePing: false, enableReconnect: false } as never).catch(
    (error: unknown) => {
      throw new BackupError(
        `cannot connect to the relay ${url} (${error instanceof Error ? error.message : String(error)}): check backup.relays`,
      );
    },
  );
  try {
    return await use(relay);
  } finally {
    relay.close();
  }
}

/**
 * Publishes the pointer as a kind-30078 event whose content is NIP-44 encrypted to the agent's own key
 * and signed by it. Succeeds when at least one relay stored it; names every relay that refused.
 */
export async function publishPointer(
  relays: readonly string[],
  key: NostrKey,
  pointer: BackupPointer,
  createdAtSeconds: number,
): Promise<{ accepted: string[]; event: Event }> {
  const content = nip44.encrypt(JSON.stringify(pointerSchema.parse(pointer)), conversationKey(key));
  const event = finalizeEvent(
    { kind: POINTER_KIND, created_at: createdAtSeconds, tags: [["d", POINTER_D_TAG]], content },
    key.privateKey.reveal(),
  );
  const accepted: string[] = [];
  const refused: string[] = [];
  await Promise.all(
    relays.map(async (url) => {
      try {
        await withRelay(url, (relay) => relay.publish(event));
        accepted.push(url);
      } catch (error) {
        refused.push(`${url} (${error instanceof Error ? error.message : String(error)})`);
      }
    }),
  );
  if (accepted.length === 0) {
    throw new BackupError(`no relay took the backup pointer: ${refused.join("; ")}; check backup.relays`);
  }
  return { accepted, event };
}

function storedEvents(relay: Relay, pubkey: string): Promise<Event[]> {
  return new Promise((resolve) => {
    const events: Event[] = [];
    const timer = setTimeout(() => done(), CONNECT_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      sub.close();
      resolve(events);
    };
    const sub = relay.subscribe([{ kinds: [POINTER_KIND], authors: [pubkey], "#d": [POINTER_D_TAG] }], {
      onevent: (event) => events.push(event),
      oneose: done,
      onclose: () => resolve(events),
    });
  });
}

/** The pointer in one event, or null when it is not the agent's own, valid, decryptable pointer. */
function pointerOf(event: Event, key: NostrKey): FoundPointer | null {
  // A fresh copy: nostr-tools caches a verification result on the object it verified.
  const copy = JSON.parse(JSON.stringify(event)) as Event;
  if (copy.pubkey !== key.pubkey || copy.kind !== POINTER_KIND || !verifyEvent(copy)) return null;
  try {
    const parsed = pointerSchema.safeParse(JSON.parse(nip44.decrypt(copy.content, conversationKey(key))));
    return parsed.success ? { pointer: parsed.data, createdAtSeconds: copy.created_at } : null;
  } catch {
    return null;
  }
}

/**
 * Reads the latest backup pointer from the relays: the agent's own signed kind-30078 events, decrypted;
 * the highest seq wins. Null when no relay has one; an error only when no relay could be asked.
 */
export async function readPointer(relays: readonly string[], key: NostrKey): Promise<FoundPointer | null> {
  let reached = 0;
  const failures: string[] = [];
  let best: FoundPointer | null = null;
  await Promise.all(
    relays.map(async (url) => {
      try {
        const events = await withRelay(url, (relay) => storedEvents(relay, key.pubkey));
        reached += 1;
        for (const event of events) {
          const found = pointerOf(event, key);
          if (found && (!best || found.pointer.seq > best.pointer.seq)) best = found;
        }
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }),
  );
  if (reached === 0 && relays.length > 0) throw new BackupError(failures.join("; "));
  return best;
}
