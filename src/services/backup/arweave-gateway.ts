import { createHash } from "node:crypto";
import type { DataItem } from "@dha-team/arbundles";
import Arweave from "arweave";
import type { ArweaveJwk } from "../keys/arweave-key.js";
import type { Secret } from "../keys/secret.js";
import { BackupError, BackupRefusedError } from "./backup-errors.js";
import type { BackupTag } from "./backup-tags.js";

/** A signed ANS-104 data item, ready to post; `raw` is what a retry posts again (same id). */
export interface SignedItem {
  readonly id: string;
  /** The signer's Arweave address (base64url sha256 of its modulus). */
  readonly owner: string;
  readonly raw: Buffer;
}

/** A data item read back from the gateway and checked: signature valid, id and owner as computed here. */
export interface VerifiedItem {
  readonly id: string;
  readonly owner: string;
  readonly tags: BackupTag[];
  readonly data: Buffer;
}

/**
 * arbundles, loaded when a backup is first signed, posted or read: it takes over half a second to
 * import, which an agent without backups (or before its first) would otherwise pay at every start.
 */
export const loadArbundles = () => import("@dha-team/arbundles");

function ownerAddress(rawOwner: Uint8Array): string {
  return createHash("sha256").update(rawOwner).digest("base64url");
}

function client(gateway: string): Arweave {
  const url = new URL(gateway);
  const protocol = url.protocol.replace(":", "");
  const port = url.port ? Number(url.port) : protocol === "https" ? 443 : 80;
  return Arweave.init({ host: url.hostname, port, protocol, timeout: 30_000 });
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/** Signs `data` as an ANS-104 data item with the agent's Arweave wallet. */
export async function signDataItem(
  data: Uint8Array,
  tags: readonly BackupTag[],
  jwk: Secret<ArweaveJwk>,
): Promise<SignedItem> {
  const { ArweaveSigner, createData } = await loadArbundles();
  const signer = new ArweaveSigner({ ...jwk.reveal() });
  const item = createData(data, signer, { tags: [...tags] });
  await item.sign(signer);
  return { id: item.id, owner: ownerAddress(item.rawOwner), raw: Buffer.from(item.getRaw()) };
}

/**
 * Posts a signed data item to an Arweave gateway the way a bundler does: as the only item of an ANS-104
 * bundle (Bundle-Format binary, Bundle-Version 2.0.0) in an L1 transaction paid and signed by the same
 * wallet. arlocal takes no bare data items (it has no bundler endpoint), and arweave.net takes this
 * too. Returns the bundle transaction's id.
 */
export async function postDataItem(
  gateway: string,
  item: SignedItem,
  jwk: Secret<ArweaveJwk>,
): Promise<string> {
  const arweave = client(gateway);
  const key = { ...jwk.reveal() };
  const { ArweaveSigner, bundleAndSignData, DataItem } = await loadArbundles();
  const signer = new ArweaveSigner(key);
  try {
    const signed = new DataItem(item.raw);
    // A re-read item does not know it is signed, and bundleAndSignData would sign it again (a new id).
    signed.rawId = Buffer.from(signed.rawId);
    if (signed.id !== item.id)
      throw new BackupError(
        `the recorded data item ${item.id} is damaged: its signature gives id ${signed.id}`,
      );
    const bundle = await bundleAndSignData([signed], signer);
    const tx = await bundle.toTransaction({}, arweave, key);
    await arweave.transactions.sign(tx, key);
    const posted = await arweave.transactions.post(tx);
    if (posted.status !== 200 && posted.status !== 208) {
      throw new BackupError(
        `the Arweave gateway ${gateway} refused the backup upload (HTTP ${posted.status}${
          posted.status === 410 || posted.status === 402 ? ": fund the agent's Arweave wallet" : ""
        }); check backup.gateway and the wallet's balance`,
      );
    }
    return tx.id;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      `cannot post the backup to the Arweave gateway ${gateway} (${reason(error)}): check backup.gateway`,
      1,
      {
        cause: error,
      },
    );
  }
}

/** Whether the gateway serves the data item's data by its id (it is then readable by a restore). */
export async function itemIsServed(gateway: string, id: string): Promise<boolean> {
  try {
    const response = await fetch(new URL(id, `${gateway.replace(/\/$/, "")}/`), {
      method: "HEAD",
      signal: AbortSignal.timeout(15_000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function download(gateway: string, path: string, what: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(new URL(path, `${gateway.replace(/\/$/, "")}/`), {
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new BackupError(
      `cannot reach the Arweave gateway ${gateway} for ${what} (${reason(error)}): check backup.gateway`,
      1,
      {
        cause: error,
      },
    );
  }
  if (response.status === 404)
    throw new BackupRefusedError(`the Arweave gateway ${gateway} does not have ${what}`);
  if (!response.ok)
    throw new BackupError(`the Arweave gateway ${gateway} answered HTTP ${response.status} for ${what}`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * Downloads the bundle `bundleId` and takes data item `id` out of it, checking what a data item proves
 * by itself: its signature over owner, tags and data (arbundles' `isValid`), and that its id is what
 * that signature hashes to. Gateways serve an item's data alone, without owner or signature, so the
 * bundle is the one download that lets a restore verify the signer.
 */
export async function fetchVerifiedItem(
  gateway: string,
  bundleId: string,
  id: string,
): Promise<VerifiedItem> {
  const raw = await download(gateway, bundleId, `bundle ${bundleId}`);
  const { Bundle } = await loadArbundles();
  let item: DataItem | undefined;
  try {
    const bundle = new Bundle(raw);
    item = bundle.items.find((candidate) => candidate.id === id);
  } catch {
    throw new BackupRefusedError(
      `bundle ${bundleId} on the gateway is not an ANS-104 bundle: it is damaged or not a backup`,
    );
  }
  if (!item) throw new BackupRefusedError(`bundle ${bundleId} does not hold data item ${id}`);
  if (!(await item.isValid().catch(() => false))) {
    throw new BackupRefusedError(
      `data item ${id} fails its signature check: it was changed after it was signed`,
    );
  }
  return {
    id: item.id,
    owner: ownerAddress(item.rawOwner),
    tags: item.tags.map((tag) => ({ name: tag.name, value: tag.value })),
    data: Buffer.from(item.rawData),
  };
}
