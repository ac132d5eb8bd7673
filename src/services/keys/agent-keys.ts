import { type AkashKey, deriveAkashKey } from "./akash-key.js";
import { type AkashWallets, createAkashWallets } from "./akash-wallets.js";
import { type ArweaveJwk, arweaveAddress } from "./arweave-key.js";
import { deriveEvmKey, type EvmKey } from "./evm-key.js";
import type { KeyIndices } from "./key-indices.js";
import { KeystoreError } from "./keys-errors.js";
import type { KeystoreContents } from "./keystore.js";
import { mnemonicToSeed } from "./mnemonic.js";
import { deriveNostrKey, type NostrKey } from "./nostr-key.js";
import type { Secret } from "./secret.js";
import { deriveAgentId, deriveEncryptionKey, deriveWorkloadKey } from "./seed-hkdf.js";

/** Who the agent is, at its current key indices: public data only, safe to log, persist and publish. */
export interface AgentIdentity {
  /** Stable across rotations: see `deriveAgentId`. */
  readonly agentId: string;
  /** `akash1…` address of the current Akash key. */
  readonly akash: string;
  /** Checksummed `0x…` address of the current Cronos EVM key. */
  readonly evm: string;
  /** Hex x-only public key of the current Nostr key. */
  readonly nostrPubkey: string;
  readonly npub: string;
  /** Arweave wallet address, or null when the keystore has no Arweave key. */
  readonly arweave: string | null;
  readonly keyIndices: KeyIndices;
}

/**
 * The agent's keys, opened from keystore contents. `identity` is public; every key accessor returns
 * secrets wrapped. Accessors take an account index so a rotation's grace period can still use the
 * previous key; they default to the current index.
 */
export class AgentKeys {
  readonly identity: AgentIdentity;
  readonly #mnemonic: Secret<string>;
  readonly #seed: Secret<Uint8Array>;
  readonly #arweaveJwk: Secret<ArweaveJwk> | null;

  private constructor(contents: KeystoreContents) {
    this.#mnemonic = contents.mnemonic;
    this.#seed = mnemonicToSeed(contents.mnemonic);
    this.#arweaveJwk = contents.arweaveJwk;
    const { keyIndices } = contents;
    const nostr = deriveNostrKey(this.#seed, keyIndices.nostr);
    this.identity = Object.freeze({
      agentId: deriveAgentId(this.#seed),
      akash: deriveAkashKey(this.#seed, keyIndices.akash).address,
      evm: deriveEvmKey(this.#seed, keyIndices.evm).address,
      nostrPubkey: nostr.pubkey,
      npub: nostr.npub,
      arweave: contents.arweaveJwk ? arweaveAddress(contents.arweaveJwk.reveal()) : null,
      keyIndices,
    });
  }

  static fromContents(contents: KeystoreContents): AgentKeys {
    return new AgentKeys(contents);
  }

  akashKey(index = this.identity.keyIndices.akash): AkashKey {
    return deriveAkashKey(this.#seed, index);
  }

  evmKey(index = this.identity.keyIndices.evm): EvmKey {
    return deriveEvmKey(this.#seed, index);
  }

  nostrKey(index = this.identity.keyIndices.nostr): NostrKey {
    return deriveNostrKey(this.#seed, index);
  }

  encryptionKey(index = this.identity.keyIndices.encryption): Secret<Uint8Array> {
    return deriveEncryptionKey(this.#seed, index);
  }

  /**
   * The key the deployment's own secrets (the postgres password) derive from: it does not rotate, so
   * a regenerated SDL keeps the manifest version that is on chain. See `deriveWorkloadKey`.
   */
  workloadKey(): Secret<Uint8Array> {
    return deriveWorkloadKey(this.#seed);
  }

  /** The mnemonic itself, for the few places that need it whole (never the SDL: see DESIGN §12). */
  mnemonic(): Secret<string> {
    return this.#mnemonic;
  }

  /** The cosmjs signers for the Akash key (transactions and provider JWTs). */
  akashWallets(index = this.identity.keyIndices.akash): Promise<AkashWallets> {
    return createAkashWallets(this.#mnemonic, index);
  }

  arweaveJwk(): Secret<ArweaveJwk> {
    if (!this.#arweaveJwk) {
      throw new KeystoreError(
        "the keystore has no Arweave key: set AGENT_ARWEAVE_JWK to a wallet JWK, or use the file keystore (akash-agent init)",
      );
    }
    return this.#arweaveJwk;
  }
}
