import { randomBytes } from "node:crypto";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { getConversationKey, decrypt as nip44Decrypt, encrypt as nip44Encrypt } from "nostr-tools/nip44";
import { z } from "zod";
import type { Secret } from "../keys/index.js";
import { ActivationRefusedError } from "./activation-errors.js";
import { ACTIVATION_PROTOCOL_VERSION, hex64Schema } from "./activation-offer.js";
import type { ActivationPackage } from "./activation-package.js";
import { CONTENT_KEY_BYTES, openPart, type PartBinding, sealPart } from "./content-cipher.js";

// Not pattern-checked (a regex over tens of MiB costs more than the decryption): the bytes it decodes
// to are authenticated, and the NIP-98 payload hash covers the text.
const base64Schema = z.string();

/**
 * The POST body: the package sealed to the instance's ephemeral key. The clear fields say whom it is
 * for (the instance refuses a package for another agent, nonce or ephemeral key before decrypting);
 * every sealed part is bound to them. `header` is a NIP-44 v2 payload (the signer's Nostr key and the
 * ephemeral key) holding the content key; `keystore`, `store` and `settings` are XChaCha20-Poly1305
 * under that key (`nonce ‖ ciphertext ‖ tag`, base64).
 */
export const sealedActivationSchema = z.strictObject({
  version: z.literal(ACTIVATION_PROTOCOL_VERSION),
  agentId: z.string().min(1).max(256),
  nonce: z.string().min(1).max(256),
  generation: z.number().int().min(1),
  ephemeralPubkey: hex64Schema,
  header: z.string().min(1).max(200_000),
  keystore: base64Schema,
  store: base64Schema,
  settings: base64Schema,
  // In the clear, like agentId and nonce; the NIP-98 payload tag the agent's key signs covers them.
  mode: z.literal("canary").optional(),
  syncFrom: z.string().min(1).max(2_048).optional(),
});

export type SealedActivation = z.infer<typeof sealedActivationSchema>;

const headerSchema = z.strictObject({
  v: z.literal(ACTIVATION_PROTOCOL_VERSION),
  contentKey: z.string().regex(/^[0-9a-f]{64}$/),
  agentId: z.string(),
  nonce: z.string(),
  generation: z.number(),
  ephemeralPubkey: z.string(),
});

const settingsSchema = z.record(z.string(), z.unknown());

/** The decrypted parts. `keystore` is secret: zero it once decoded. */
export interface UnsealedParts {
  readonly keystore: Uint8Array;
  readonly store: Buffer;
  readonly settings: Record<string, unknown>;
}

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/**
 * Seals a package to `ephemeralPubkey` from the Nostr key that will sign the POST (the instance derives
 * the same NIP-44 conversation key from its ephemeral key and the NIP-98 signer).
 */
export function sealActivationPackage(
  pkg: ActivationPackage,
  senderPrivateKey: Secret<Uint8Array>,
  ephemeralPubkey: string,
): SealedActivation {
  const binding: PartBinding = {
    agentId: pkg.agentId,
    nonce: pkg.nonce,
    generation: pkg.generation,
    ephemeralPubkey,
  };
  const contentKey = randomBytes(CONTENT_KEY_BYTES);
  const conversationKey = getConversationKey(senderPrivateKey.reveal(), ephemeralPubkey);
  try {
    const header = nip44Encrypt(
      JSON.stringify({ v: ACTIVATION_PROTOCOL_VERSION, contentKey: bytesToHex(contentKey), ...binding }),
      conversationKey,
    );
    return {
      version: ACTIVATION_PROTOCOL_VERSION,
      ...binding,
      header,
      keystore: base64(sealPart(contentKey, "keystore", binding, pkg.keystore.reveal())),
      store: base64(sealPart(contentKey, "store", binding, pkg.store)),
      settings: base64(sealPart(contentKey, "settings", binding, utf8ToBytes(JSON.stringify(pkg.settings)))),
      ...(pkg.mode === undefined ? {} : { mode: pkg.mode }),
      ...(pkg.syncFrom === undefined ? {} : { syncFrom: pkg.syncFrom }),
    };
  } finally {
    contentKey.fill(0);
    conversationKey.fill(0);
  }
}

/** Parses a POST body; a 400 refusal naming the first bad field. */
export function parseSealedActivation(body: Buffer): SealedActivation {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ActivationRefusedError(
      400,
      "the activation body is not JSON: POST a sealed activation package",
    );
  }
  const parsed = sealedActivationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "body";
    throw new ActivationRefusedError(
      400,
      `the activation body's field ${field} is invalid (${issue?.message ?? "malformed"}): POST a sealed activation package`,
    );
  }
  return parsed.data;
}

const undecryptable = (what: string) =>
  new ActivationRefusedError(
    400,
    `the package's ${what} does not decrypt: it was altered, or sealed by a key other than the signer's`,
  );

/**
 * Opens a package with the NIP-44 conversation key of the instance's ephemeral key and the signer.
 * Refuses (400) a header or part that does not decrypt, or a header that names another package.
 */
export function unsealActivationPackage(
  sealed: SealedActivation,
  conversationKey: Uint8Array,
): UnsealedParts {
  let headerText: string;
  try {
    headerText = nip44Decrypt(sealed.header, conversationKey);
  } catch {
    throw undecryptable("header");
  }
  let headerJson: unknown;
  try {
    headerJson = JSON.parse(headerText);
  } catch {
    throw new ActivationRefusedError(400, "the package's header is not JSON");
  }
  const header = headerSchema.safeParse(headerJson);
  if (!header.success) throw new ActivationRefusedError(400, "the package's header is malformed");
  const binding: PartBinding = {
    agentId: sealed.agentId,
    nonce: sealed.nonce,
    generation: sealed.generation,
    ephemeralPubkey: sealed.ephemeralPubkey,
  };
  const { contentKey: contentKeyHex, v: _v, ...named } = header.data;
  if (JSON.stringify(named) !== JSON.stringify(binding)) {
    throw new ActivationRefusedError(
      400,
      "the package's header names another agentId, nonce, generation or ephemeral key than its body",
    );
  }
  const contentKey = hexToBytes(contentKeyHex);
  try {
    const keystore = openPart(contentKey, "keystore", binding, Buffer.from(sealed.keystore, "base64"));
    if (!keystore) throw undecryptable("keystore");
    const store = openPart(contentKey, "store", binding, Buffer.from(sealed.store, "base64"));
    const settingsBytes = openPart(contentKey, "settings", binding, Buffer.from(sealed.settings, "base64"));
    if (!store || !settingsBytes) {
      keystore.fill(0);
      throw undecryptable(store ? "settings" : "store");
    }
    const settings = settingsOf(settingsBytes);
    if (!settings) {
      keystore.fill(0);
      throw new ActivationRefusedError(400, "the package's settings are not a JSON object");
    }
    return { keystore, store: Buffer.from(store.buffer, store.byteOffset, store.byteLength), settings };
  } finally {
    contentKey.fill(0);
  }
}

function settingsOf(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(Buffer.from(bytes).toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
