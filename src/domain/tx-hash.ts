import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/**
 * How CometBFT names a transaction: the SHA-256 of its raw bytes. The devnet indexes transactions by
 * it and the agent's client looks them up by it, so both compute it here.
 */
export function txHashBytes(txBytes: Uint8Array): Uint8Array {
  return sha256(txBytes);
}

/** The same hash as CometBFT prints and indexes it (`tx_search`, `tx`): upper-case hex. */
export function txHashOf(txBytes: Uint8Array): string {
  return bytesToHex(txHashBytes(txBytes)).toUpperCase();
}
