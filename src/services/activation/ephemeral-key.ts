import { getConversationKey } from "nostr-tools/nip44";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { type Secret, secretBytes } from "../keys/index.js";

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * The key an awaiting instance generates at start and offers in `GET /api/activation`: the leader
 * seals the package to it. It lives only in this process's memory, so a restart before activation
 * offers a new one (and a package sealed to the old one is refused).
 */
export class EphemeralActivationKey {
  /** 64-hex x-only public key. */
  readonly publicKeyHex: string;
  readonly #privateKey: Secret<Uint8Array>;

  private constructor(privateKey: Uint8Array) {
    this.#privateKey = secretBytes(privateKey);
    this.publicKeyHex = getPublicKey(privateKey);
  }

  static generate(): EphemeralActivationKey {
    return new EphemeralActivationKey(generateSecretKey());
  }

  /**
   * The NIP-44 v2 conversation key between this key and a peer's x-only public key; throws when the
   * peer key is not a point on the curve. Zero the result once used.
   */
  conversationKey(peerPubkeyHex: string): Uint8Array {
    return getConversationKey(this.#privateKey.reveal(), peerPubkeyHex);
  }

  toJSON(): { publicKeyHex: string } {
    return { publicKeyHex: this.publicKeyHex };
  }

  [inspectCustom](): string {
    return `EphemeralActivationKey ${this.publicKeyHex}`;
  }
}
