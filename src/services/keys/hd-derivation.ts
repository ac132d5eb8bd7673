import { HDKey } from "@scure/bip32";
import type { Secret } from "./secret.js";

/** A secp256k1 key pair at a BIP32 path: the private key raw, the public key compressed (33 bytes). */
export interface DerivedKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** BIP32 derivation from the BIP39 seed. Callers wrap the private key before handing it out. */
export function deriveKeyPair(seed: Secret<Uint8Array>, path: string): DerivedKeyPair {
  const master = HDKey.fromMasterSeed(seed.reveal());
  const node = master.derive(path);
  const { privateKey, publicKey } = node;
  if (!privateKey || !publicKey) throw new Error(`BIP32 derivation at ${path} gave no key`);
  const pair = { privateKey: privateKey.slice(), publicKey: publicKey.slice() };
  node.wipePrivateData();
  master.wipePrivateData();
  return pair;
}
