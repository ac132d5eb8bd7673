import { randomBytes } from "node:crypto";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";

export const CONTENT_KEY_BYTES = 32;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const AAD_LABEL = "akash-agent/activation/v1";

/** The parts of a package, each sealed on its own under the content key. */
export type SealedPart = "keystore" | "store" | "settings";

/** What every part's ciphertext is bound to: a part moved to another package, or renamed, fails to open. */
export interface PartBinding {
  readonly agentId: string;
  readonly nonce: string;
  readonly generation: number;
  readonly ephemeralPubkey: string;
}

function aadOf(part: SealedPart, binding: PartBinding): Uint8Array {
  // A JSON array: no delimiter a field could contain can make two bindings spell the same bytes.
  return utf8ToBytes(
    JSON.stringify([
      AAD_LABEL,
      part,
      binding.agentId,
      binding.nonce,
      binding.generation,
      binding.ephemeralPubkey,
    ]),
  );
}

/** XChaCha20-Poly1305 under `key` with a random 24-byte nonce: `nonce ‖ ciphertext ‖ tag`. */
export function sealPart(
  key: Uint8Array,
  part: SealedPart,
  binding: PartBinding,
  plaintext: Uint8Array,
): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const ciphertext = xchacha20poly1305(key, nonce, aadOf(part, binding)).encrypt(plaintext);
  const sealed = new Uint8Array(NONCE_BYTES + ciphertext.length);
  sealed.set(nonce, 0);
  sealed.set(ciphertext, NONCE_BYTES);
  return sealed;
}

/** The plaintext of `sealPart`'s output, or null when it is truncated, tampered or bound to something else. */
export function openPart(
  key: Uint8Array,
  part: SealedPart,
  binding: PartBinding,
  sealed: Uint8Array,
): Uint8Array | null {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return null;
  try {
    return xchacha20poly1305(key, sealed.subarray(0, NONCE_BYTES), aadOf(part, binding)).decrypt(
      sealed.subarray(NONCE_BYTES),
    );
  } catch {
    return null;
  }
}
