import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { AgentKeys } from "../keys/agent-keys.js";
import type { KeyIndices } from "../keys/key-indices.js";
import { type AgentStore, openAgentStore } from "../store/agent-store.js";
import { DEFAULT_DATABASE_FILE } from "../store/database.js";
import { fetchVerifiedItem } from "./arweave-gateway.js";
import { openBackup, readBackupHeader } from "./backup-envelope.js";
import { BackupError, BackupNotFoundError, BackupRefusedError } from "./backup-errors.js";
import { type BackupCandidate, bundlesPostedBy, findBackupCandidates } from "./backup-graphql.js";
import { readPointer } from "./backup-pointer.js";
import { tagValue } from "./backup-tags.js";
import type { BackupTarget } from "./backup-target.js";
import { type ChainCheck, checkAgainstChain, type OwnerDeployments } from "./chain-freshness.js";
import { BACKUP_INTENT_KIND, type ExportSummary, inspectExport } from "./store-export.js";

export interface RestoreDeps {
  readonly keys: AgentKeys;
  readonly target: BackupTarget;
  readonly dataDir: string;
  /**
   * Connects to the chain as the agent, over the restored store (not yet in place), to check the backup
   * is not older than what the agent already did. Without it the check is skipped (and said so).
   */
  readonly connectChain?: (store: AgentStore) => Promise<{ chain: OwnerDeployments; close(): Promise<void> }>;
}

export interface RestoreResult {
  readonly id: string;
  readonly seq: number;
  readonly bytes: number;
  readonly sha256: string;
  /** Where the backup was found: the pointer on a relay, or the gateway's GraphQL by tags. */
  readonly source: "relay" | "gateway";
  readonly path: string;
  readonly summary: ExportSummary;
  readonly chain: ChainCheck | null;
  /** The key indices the agent had when it made the backup (keys rotate; the words derive every index). */
  readonly keyIndices: KeyIndices;
}

interface Lead extends BackupCandidate {
  /** From the pointer: the sha256 the agent recorded. */
  readonly sha256?: string;
  readonly source: "relay" | "gateway";
}

interface Opened {
  readonly lead: Lead;
  readonly keyIndices: KeyIndices;
  readonly plain: Buffer;
  readonly sha256: string;
  readonly bytes: number;
  readonly summary: ExportSummary;
}

/**
 * Downloads and checks one backup: data item signature, signer = the recorded owner, tags of this agent
 * and seq, sha256 as recorded, header of this agent and seq, AEAD with the key of its index, a readable
 * agent store. Any mismatch is a refusal naming what did not match.
 */
async function openLead(
  keys: AgentKeys,
  gateway: string,
  lead: Lead,
  expectedOwner: string | null,
): Promise<Opened> {
  const agentId = keys.identity.agentId;
  const item = await fetchVerifiedItem(
    gateway,
    lead.bundleId ?? (await bundleHolding(gateway, lead)),
    lead.id,
  );
  if (expectedOwner !== null && item.owner !== expectedOwner) {
    throw new BackupRefusedError(
      `backup ${lead.id} is signed by Arweave wallet ${item.owner}, not the agent's ${expectedOwner}: it is not this agent's backup`,
    );
  }
  if (tagValue(item.tags, "Agent-Id") !== agentId || tagValue(item.tags, "Backup-Seq") !== String(lead.seq)) {
    throw new BackupRefusedError(
      `backup ${lead.id} is tagged for another agent or seq than ${agentId} seq ${lead.seq}`,
    );
  }
  const sha256 = createHash("sha256").update(item.data).digest("hex");
  if (lead.sha256 !== undefined && sha256 !== lead.sha256) {
    throw new BackupRefusedError(
      `backup ${lead.id} does not match the sha256 its pointer recorded (${sha256} ≠ ${lead.sha256}): it was changed or cut short`,
    );
  }
  const { header } = readBackupHeader(item.data);
  if (header.agentId !== agentId || header.seq !== lead.seq) {
    throw new BackupRefusedError(
      `backup ${lead.id} was made by ${header.agentId} as seq ${header.seq}, not by ${agentId} as seq ${lead.seq}`,
    );
  }
  const { plain } = openBackup(item.data, keys.encryptionKey(header.encryptionIndex));
  return {
    lead,
    keyIndices: header.keyIndices,
    plain,
    sha256,
    bytes: item.data.length,
    summary: inspectExport(plain),
  };
}

/** The bundle that holds a data item the gateway lists without naming its bundle: one its owner posted. */
async function bundleHolding(gateway: string, lead: Lead): Promise<string> {
  for (const bundleId of await bundlesPostedBy(gateway, lead.owner)) {
    const holds = await fetchVerifiedItem(gateway, bundleId, lead.id).then(
      () => true,
      () => false,
    );
    if (holds) return bundleId;
  }
  throw new BackupRefusedError(`no bundle posted by ${lead.owner} holds data item ${lead.id}`);
}

/** Finds and opens the latest backup: the pointer on the relays, else the newest good one GraphQL lists. */
async function findLatest(keys: AgentKeys, target: BackupTarget): Promise<Opened> {
  let pointerProblem: string | null = null;
  try {
    const found = await readPointer(target.relays, keys.nostrKey());
    if (found) {
      const { pointer } = found;
      // The pointer is signed by the agent's Nostr key, which the mnemonic derives: its owner is trusted.
      return await openLead(keys, target.gateway, { ...pointer, source: "relay" }, pointer.owner);
    }
    pointerProblem = "no relay has a backup pointer";
  } catch (error) {
    if (error instanceof BackupRefusedError) throw error;
    pointerProblem = error instanceof Error ? error.message : String(error);
  }
  const candidates = await findBackupCandidates(target.gateway, keys.identity.agentId);
  if (candidates.length === 0) {
    throw new BackupNotFoundError(
      `no backup of ${keys.identity.agentId} found (${pointerProblem}; the gateway ${target.gateway} lists none by its tags): check backup.relays and backup.gateway, and that this is the agent's mnemonic`,
    );
  }
  // Without the pointer, anyone could have tagged an item with this agent's id: only the agent's own
  // wallet (when the keystore has it) or, without it, the agent's encryption key vouches for one.
  const refusals: string[] = [];
  for (const candidate of candidates) {
    try {
      return await openLead(keys, target.gateway, { ...candidate, source: "gateway" }, keys.identity.arweave);
    } catch (error) {
      if (!(error instanceof BackupRefusedError)) throw error;
      refusals.push(`seq ${candidate.seq} (${candidate.id}): ${error.message}`);
    }
  }
  throw new BackupRefusedError(
    `every backup the gateway lists for ${keys.identity.agentId} was refused: ${refusals.join("; ")}`,
  );
}

function removeQuietly(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
}

function writeDurably(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes, { mode: 0o600 });
  const fd = openSync(path, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Backups up to `seq` are done in the restored store: the next backup takes seq + 1, never one of these. */
function settleBackupIntents(store: AgentStore, seq: number): void {
  store.transaction(() => {
    for (const intent of store.intents.pending()) {
      if (!intent.kind.startsWith(BACKUP_INTENT_KIND)) continue;
      const intentSeq = intent.payload as { seq?: number; pointer?: { seq?: number } } | null;
      const at = intentSeq?.seq ?? intentSeq?.pointer?.seq ?? 0;
      if (at <= seq) store.intents.complete(intent.key);
    }
  });
}

/**
 * Restores the agent's store from its latest backup into an empty data directory: find, verify, decrypt,
 * check against the chain, then write. The store is written to a temporary file beside its place and
 * renamed into it only when every check passed, so a refusal or a crash leaves no store behind.
 */
export async function restoreBackup(deps: RestoreDeps): Promise<RestoreResult> {
  const dataDir = resolve(deps.dataDir);
  const path = join(dataDir, DEFAULT_DATABASE_FILE);
  if (existsSync(path)) {
    throw new BackupError(
      `${path} already holds agent state: restore writes only into a data directory without one (move it aside first)`,
      2,
    );
  }
  const opened = await findLatest(deps.keys, deps.target);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temporary = join(dataDir, `.${DEFAULT_DATABASE_FILE}.restore-${process.pid}.tmp`);
  removeQuietly(temporary);
  let chain: ChainCheck | null = null;
  try {
    writeDurably(temporary, opened.plain);
    const store = openAgentStore({ dataDir, fileName: basename(temporary) });
    try {
      settleBackupIntents(store, opened.lead.seq);
      if (deps.connectChain) {
        const connected = await deps.connectChain(store);
        try {
          chain = await checkAgainstChain(store, connected.chain, opened.lead.seq);
        } finally {
          await connected.close();
        }
      }
    } finally {
      store.close();
    }
    if (existsSync(`${temporary}-wal`))
      throw new BackupError(`the restored store ${temporary} kept a WAL file after closing: try again`);
    renameSync(temporary, path);
    const dir = openSync(dirname(path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
  return {
    id: opened.lead.id,
    seq: opened.lead.seq,
    bytes: opened.bytes,
    sha256: opened.sha256,
    source: opened.lead.source,
    path,
    summary: opened.summary,
    chain,
    keyIndices: opened.keyIndices,
  };
}
