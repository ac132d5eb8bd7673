import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { keyIndicesSchema } from "../keys/key-indices.js";
import type { Secret } from "../keys/secret.js";
import { BackupRefusedError } from "./backup-errors.js";

/** "AKAGBAK1": marks an encrypted store export of this agent, format 1. */
const MAGIC = Buffer.from("AKAGBAK1", "ascii");
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 4096;

const headerSchema = z.strictObject({
  v: z.literal(1),
  agentId: z.string().min(1),
  seq: z.number().int().positive(),
  /** The account index of the encryption key that sealed it (keys rotate; the mnemonic derives every index). */
  encryptionIndex: z.number().int().min(0),
  /** Every key's account index when it was made: a restore moves the keystore's indices up to them. */
  keyIndices: keyIndicesSchema,
  createdAt: z.number().int().positive(),
  /** Bytes of the store export before compression. */
  rawBytes: z.number().int().min(0),
});

/** The public header of a sealed backup: authenticated (part of the AEAD's associated data), not secret. */
export type BackupHeader = z.infer<typeof headerSchema>;

/**
 * Seals a store export: gzip, then AES-256-GCM under the agent's encryption key with a fresh 96-bit IV.
 * Layout: MAGIC | header length (u32 BE) | header JSON | IV | ciphertext | tag; everything before the IV
 * is the associated data, so the agent id, seq and key index cannot be changed without the tag failing.
 */
export function sealBackup(plain: Uint8Array, header: BackupHeader, key: Secret<Uint8Array>): Buffer {
  const headerJson = Buffer.from(JSON.stringify(headerSchema.parse(header)), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerJson.length);
  const associated = Buffer.concat([MAGIC, length, headerJson]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.reveal(), iv);
  cipher.setAAD(associated);
  const sealed = Buffer.concat([cipher.update(gzipSync(plain, { level: 9 })), cipher.final()]);
  return Buffer.concat([associated, iv, sealed, cipher.getAuthTag()]);
}

/** Reads the public header without decrypting (to pick the key index); refuses what is not a sealed backup. */
export function readBackupHeader(sealed: Uint8Array): { header: BackupHeader; bodyOffset: number } {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupRefusedError("the backup is not an akash-agent backup (its first bytes are wrong)");
  }
  const headerLength = bytes.readUInt32BE(MAGIC.length);
  const bodyOffset = MAGIC.length + 4 + headerLength;
  if (headerLength > MAX_HEADER_BYTES || bytes.length < bodyOffset + IV_BYTES + TAG_BYTES) {
    throw new BackupRefusedError("the backup is truncated: its header or body is cut short");
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.subarray(MAGIC.length + 4, bodyOffset).toString("utf8"));
  } catch {
    throw new BackupRefusedError("the backup's header is not JSON: it is damaged");
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw new BackupRefusedError("the backup's header is not a format-1 backup header");
  return { header: parsed.data, bodyOffset };
}

/**
 * Opens a sealed backup with the key at its header's index and returns the store export. A wrong key
 * (another agent's backup) and any changed byte fail the same authentication check.
 */
export function openBackup(
  sealed: Uint8Array,
  key: Secret<Uint8Array>,
): { header: BackupHeader; plain: Buffer } {
  const { header, bodyOffset } = readBackupHeader(sealed);
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const iv = bytes.subarray(bodyOffset, bodyOffset + IV_BYTES);
  const body = bytes.subarray(bodyOffset + IV_BYTES, bytes.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key.reveal(), iv);
  decipher.setAAD(bytes.subarray(0, bodyOffset));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  let compressed: Buffer;
  try {
    compressed = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new BackupRefusedError(
      "the backup does not decrypt with this agent's encryption key: it was changed, cut short, or made by another agent",
    );
  }
  let plain: Buffer;
  try {
    plain = gunzipSync(compressed);
  } catch {
    throw new BackupRefusedError("the backup decrypted but does not decompress: it is damaged");
  }
  if (plain.length !== header.rawBytes) {
    throw new BackupRefusedError(
      `the backup holds ${plain.length} bytes where its header says ${header.rawBytes}: it is damaged`,
    );
  }
  return { header, plain };
}
