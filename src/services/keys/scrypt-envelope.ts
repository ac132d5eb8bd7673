import { createCipheriv, createDecipheriv, randomBytes, type ScryptOptions, scrypt } from "node:crypto";
import { z } from "zod";
import { KeystoreError } from "./keys-errors.js";
import type { Secret } from "./secret.js";

/**
 * The encrypted keystore file: scrypt turns the passphrase into a 256-bit key, AES-256-GCM encrypts the
 * contents. Everything but the tag is authenticated (the header as associated data), so a change to any
 * byte of the file fails decryption or validation.
 *
 * {"format":"akash-agent-keystore","version":1,
 *  "kdf":{"name":"scrypt","N":131072,"r":8,"p":1,"salt":"<base64, 32 bytes>"},
 *  "cipher":{"name":"aes-256-gcm","nonce":"<base64, 12 bytes>","tag":"<base64, 16 bytes>"},
 *  "ciphertext":"<base64>"}
 */
export const ENVELOPE_FORMAT = "akash-agent-keystore";
export const ENVELOPE_VERSION = 1;

export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is 128·N·r bytes. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 2^17 · 8 · 128 B = 128 MiB and about half a second per unlock on a 2-core VM (see the keys report). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/** Bounds on what a file may ask for, so a modified file cannot make the agent allocate without limit. */
const MIN_LOG2_N = 10;
const MAX_LOG2_N = 20;
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;

const SALT_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function scryptParamsProblem(params: ScryptParams): string | null {
  const { N, r, p } = params;
  if (!Number.isSafeInteger(N) || N < 2 ** MIN_LOG2_N || N > 2 ** MAX_LOG2_N || (N & (N - 1)) !== 0) {
    return `scrypt N = ${N} must be a power of two from 2^${MIN_LOG2_N} to 2^${MAX_LOG2_N}`;
  }
  if (!Number.isSafeInteger(r) || r < 1 || r > 32) return `scrypt r = ${r} must be an integer from 1 to 32`;
  if (!Number.isSafeInteger(p) || p < 1 || p > 16) return `scrypt p = ${p} must be an integer from 1 to 16`;
  if (128 * N * r > MAX_SCRYPT_MEMORY) return `scrypt N·r = ${N * r} needs more than 1 GiB of memory`;
  return null;
}

/** Base64 in its one canonical spelling, so no edit to the text can decode to the same bytes. */
function canonicalBase64(length?: number) {
  return z.string().refine((text) => {
    const bytes = Buffer.from(text, "base64");
    return (
      bytes.toString("base64") === text &&
      bytes.length > 0 &&
      (length === undefined || bytes.length === length)
    );
  });
}

const envelopeSchema = z.strictObject({
  format: z.literal(ENVELOPE_FORMAT),
  version: z.literal(ENVELOPE_VERSION),
  kdf: z.strictObject({
    name: z.literal("scrypt"),
    N: z.number(),
    r: z.number(),
    p: z.number(),
    salt: canonicalBase64(SALT_BYTES),
  }),
  cipher: z.strictObject({
    name: z.literal("aes-256-gcm"),
    nonce: canonicalBase64(NONCE_BYTES),
    tag: canonicalBase64(TAG_BYTES),
  }),
  ciphertext: canonicalBase64(),
});

type Envelope = z.infer<typeof envelopeSchema>;

/** The authenticated header, rebuilt in a fixed key order from the parsed fields. */
function associatedData(
  envelope: Omit<Envelope, "ciphertext" | "cipher"> & { cipher: { nonce: string } },
): Buffer {
  const { kdf } = envelope;
  return Buffer.from(
    JSON.stringify({
      format: ENVELOPE_FORMAT,
      version: ENVELOPE_VERSION,
      kdf: { name: "scrypt", N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt },
      cipher: { name: "aes-256-gcm", nonce: envelope.cipher.nonce },
    }),
    "utf8",
  );
}

function deriveKey(passphrase: Secret<string>, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  const password = Buffer.from(passphrase.reveal().normalize("NFKC"), "utf8");
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, options, (error, key) => {
      password.fill(0);
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Encrypts keystore plaintext under the passphrase; returns the file text. */
export async function sealEnvelope(
  plaintext: Uint8Array,
  passphrase: Secret<string>,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const problem = scryptParamsProblem(params);
  if (problem) throw new RangeError(problem);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const kdf = {
    name: "scrypt" as const,
    N: params.N,
    r: params.r,
    p: params.p,
    salt: salt.toString("base64"),
  };
  const key = await deriveKey(passphrase, salt, params);
  try {
    const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(
      associatedData({
        format: ENVELOPE_FORMAT,
        version: ENVELOPE_VERSION,
        kdf,
        cipher: { nonce: nonce.toString("base64") },
      }),
    );
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const envelope: Envelope = {
      format: ENVELOPE_FORMAT,
      version: ENVELOPE_VERSION,
      kdf,
      cipher: {
        name: "aes-256-gcm",
        nonce: nonce.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
      },
      ciphertext: ciphertext.toString("base64"),
    };
    return `${JSON.stringify(envelope, null, 2)}\n`;
  } finally {
    key.fill(0);
  }
}

function modified(where: string, detail: string): KeystoreError {
  return new KeystoreError(
    `${where} is not a readable keystore (${detail}): the file was modified or is not an akash-agent keystore; ` +
      "restore it from a backup",
  );
}

/**
 * Decrypts a keystore file's text. `where` names it in errors (e.g. "keystore at /data/keystore.json").
 * Every failure is a KeystoreError; nothing is returned unless the whole file authenticates.
 */
export async function openEnvelope(text: string, passphrase: Secret<string>, where: string): Promise<Buffer> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw modified(where, "not JSON");
  }
  if (typeof json === "object" && json !== null && Reflect.get(json, "format") === ENVELOPE_FORMAT) {
    const version = Reflect.get(json, "version");
    if (typeof version === "number" && version !== ENVELOPE_VERSION) {
      throw new KeystoreError(
        `${where} is keystore format version ${version}; this agent reads version ${ENVELOPE_VERSION}: ` +
          "run the agent build that wrote it",
      );
    }
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw modified(where, `field ${parsed.error.issues[0]?.path.join(".") || "envelope"}`);
  }
  const envelope = parsed.data;
  const problem = scryptParamsProblem(envelope.kdf);
  if (problem) throw modified(where, problem);
  const key = await deriveKey(passphrase, Buffer.from(envelope.kdf.salt, "base64"), envelope.kdf);
  let head: Buffer | undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(envelope.cipher.nonce, "base64"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associatedData(envelope));
    decipher.setAuthTag(Buffer.from(envelope.cipher.tag, "base64"));
    head = decipher.update(Buffer.from(envelope.ciphertext, "base64"));
    return Buffer.concat([head, decipher.final()]);
  } catch {
    throw new KeystoreError(`cannot decrypt ${where}: wrong passphrase or the file was modified`);
  } finally {
    head?.fill(0);
    key.fill(0);
  }
}
