import { schnorr } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { npubEncode, nsecEncode } from "nostr-tools/nip19";
import { deriveKeyPair } from "./hd-derivation.js";
import { nostrHdPath } from "./hd-paths.js";
import { type Secret, type SecretRegistry, secretBytes, secretString } from "./secret.js";

/** The Nostr identity key at one account index (NIP-06). */
export interface NostrKey {
  readonly index: number;
  readonly hdPath: string;
  /** x-only public key, 32 bytes hex, as in Nostr events. */
  readonly pubkey: string;
  readonly npub: string;
  /** Raw 32-byte private key, the form nostr-tools' `finalizeEvent` takes. */
  readonly privateKey: Secret<Uint8Array>;
  readonly nsec: Secret<string>;
}

export function deriveNostrKey(seed: Secret<Uint8Array>, index: number, registry?: SecretRegistry): NostrKey {
  const hdPath = nostrHdPath(index);
  const { privateKey } = deriveKeyPair(seed, hdPath);
  const pubkey = bytesToHex(schnorr.getPublicKey(privateKey));
  return Object.freeze({
    index,
    hdPath,
    pubkey,
    npub: npubEncode(pubkey),
    privateKey: secretBytes(privateKey, registry),
    nsec: secretString(nsecEncode(privateKey), registry),
  });
}
