import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { getAddress } from "ethers";
import { deriveKeyPair } from "./hd-derivation.js";
import { evmHdPath } from "./hd-paths.js";
import { byteForms, Secret, type SecretRegistry } from "./secret.js";

/** The Cronos EVM account key at one account index. */
export interface EvmKey {
  readonly index: number;
  readonly hdPath: string;
  /** EIP-55 checksummed `0x…` address. */
  readonly address: string;
  /** `0x`-prefixed hex private key, the form ethers' `Wallet` takes. */
  readonly privateKey: Secret<string>;
}

/** Ethereum address: last 20 bytes of keccak256 of the uncompressed public key without its 0x04 prefix. */
export function evmAddressFromPublicKey(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return getAddress(`0x${bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(-20))}`);
}

export function deriveEvmKey(seed: Secret<Uint8Array>, index: number, registry?: SecretRegistry): EvmKey {
  const hdPath = evmHdPath(index);
  const pair = deriveKeyPair(seed, hdPath);
  const hex = `0x${bytesToHex(pair.privateKey)}`;
  return Object.freeze({
    index,
    hdPath,
    address: evmAddressFromPublicKey(pair.publicKey),
    privateKey: new Secret(hex, [hex, ...byteForms(pair.privateKey)], registry),
  });
}
