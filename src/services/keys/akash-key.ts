import { toBech32 } from "@cosmjs/encoding";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { deriveKeyPair } from "./hd-derivation.js";
import { akashHdPath } from "./hd-paths.js";
import { type Secret, type SecretRegistry, secretBytes } from "./secret.js";

export const AKASH_BECH32_PREFIX = "akash";

/** The Akash account key at one account index. */
export interface AkashKey {
  readonly index: number;
  readonly hdPath: string;
  /** `akash1…` */
  readonly address: string;
  /** Compressed secp256k1 public key (33 bytes), hex. */
  readonly publicKey: string;
  /** Raw 32-byte secp256k1 private key. */
  readonly privateKey: Secret<Uint8Array>;
}

/** Cosmos SDK account address: bech32 of ripemd160(sha256(compressed public key)). */
export function akashAddressFromPublicKey(compressedPublicKey: Uint8Array): string {
  return toBech32(AKASH_BECH32_PREFIX, ripemd160(sha256(compressedPublicKey)));
}

export function deriveAkashKey(seed: Secret<Uint8Array>, index: number, registry?: SecretRegistry): AkashKey {
  const hdPath = akashHdPath(index);
  const pair = deriveKeyPair(seed, hdPath);
  return Object.freeze({
    index,
    hdPath,
    address: akashAddressFromPublicKey(pair.publicKey),
    publicKey: bytesToHex(pair.publicKey),
    privateKey: secretBytes(pair.privateKey, registry),
  });
}
