import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { HDKey } from "@scure/bip32";
import { entropyToMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { deriveAkashKey } from "./akash-key.js";
import { deriveEvmKey, type EvmKey } from "./evm-key.js";
import { assertAccountIndex } from "./key-indices.js";
import { mnemonicToSeed } from "./mnemonic.js";
import { deriveNostrKey } from "./nostr-key.js";
import { type Secret, type SecretRegistry, secretString } from "./secret.js";
import { deriveAgentId } from "./seed-hkdf.js";

/**
 * A child agent's mnemonic, derived from its parent's with BIP-85 (BIP39 application, English,
 * 24 words): `m/83696968'/39'/0'/24'/{index}'`, then HMAC-SHA512(key "bip-entropy-from-k", k), the
 * first 32 bytes as BIP39 entropy. The parent's words recover every child; a child's words say
 * nothing about the parent's (hardened derivation and the HMAC are one-way).
 */

const BIP85_PURPOSE = 83696968;
const BIP39_APPLICATION = 39;
const ENGLISH = 0;
const CHILD_WORDS = 24;
const ENTROPY_BYTES = 32;
const HMAC_KEY = utf8ToBytes("bip-entropy-from-k");

/** BIP-85's path of the BIP39 application, English, 24 words, at `index`. */
export function childMnemonicPath(index: number): string {
  assertAccountIndex(index);
  return `m/${BIP85_PURPOSE}'/${BIP39_APPLICATION}'/${ENGLISH}'/${CHILD_WORDS}'/${index}'`;
}

/**
 * BIP-85 BIP39 words from a BIP32 root key (exported so the spec's test vector, which starts from an
 * xprv, can check it). The root's private data is not wiped: it belongs to the caller.
 */
export function bip85Mnemonic(root: HDKey, index: number): string {
  const node = root.derive(childMnemonicPath(index));
  const k = node.privateKey;
  if (!k) throw new Error("BIP-85 derivation gave no private key: the root key must be private");
  const entropy = hmac(sha512, HMAC_KEY, k).slice(0, ENTROPY_BYTES);
  node.wipePrivateData();
  const words = entropyToMnemonic(entropy, wordlist);
  entropy.fill(0);
  return words;
}

/** The child's 24-word mnemonic at `index` (0, 1, 2 … its number among the parent's children). */
export function deriveChildMnemonic(
  parentMnemonic: Secret<string>,
  index: number,
  registry?: SecretRegistry,
): Secret<string> {
  assertAccountIndex(index);
  const seed = mnemonicToSeed(parentMnemonic, registry);
  const root = HDKey.fromMasterSeed(seed.reveal());
  try {
    return secretString(bip85Mnemonic(root, index), registry);
  } finally {
    root.wipePrivateData();
  }
}

/** A child's public identity: what the registry, the grants and the heartbeat watch need. */
export interface ChildIdentity {
  readonly index: number;
  /** The child's agentId, as `AgentKeys` computes it from the child's mnemonic. */
  readonly childId: string;
  /** `akash1…` of the child's Akash key at account index 0. */
  readonly akash: string;
  /** `npub1…` of the child's Nostr key at account index 0. */
  readonly npub: string;
  /** `0x…` of the child's Cronos EVM key at account index 0 (where its treasury's CRO is sent). */
  readonly cronos: string;
}

/** Public data only: the child's secrets are derived, used and dropped here. */
export function childIdentity(
  parentMnemonic: Secret<string>,
  index: number,
  registry?: SecretRegistry,
): ChildIdentity {
  const mnemonic = deriveChildMnemonic(parentMnemonic, index, registry);
  const seed = mnemonicToSeed(mnemonic, registry);
  const identity = {
    index,
    childId: deriveAgentId(seed),
    akash: deriveAkashKey(seed, 0, registry).address,
    npub: deriveNostrKey(seed, 0, registry).npub,
    cronos: deriveEvmKey(seed, 0, registry).address,
  };
  seed.reveal().fill(0);
  return Object.freeze(identity);
}

/** The child's Cronos EVM key at account index 0 (the key its CRO is held by), for sweeping it back. */
export function childEvmKey(
  parentMnemonic: Secret<string>,
  index: number,
  registry?: SecretRegistry,
): EvmKey {
  const seed = mnemonicToSeed(deriveChildMnemonic(parentMnemonic, index, registry), registry);
  try {
    return deriveEvmKey(seed, 0, registry);
  } finally {
    seed.reveal().fill(0);
  }
}
