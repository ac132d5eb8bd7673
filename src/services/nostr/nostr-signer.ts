import { type EventTemplate, finalizeEvent, type VerifiedEvent } from "nostr-tools/pure";
import type { NostrKey } from "../keys/nostr-key.js";
import type { Secret } from "../keys/secret.js";

/** Signs events with a Nostr key without handing the key itself around. */
export interface NostrSigner {
  readonly pubkey: string;
  sign(template: EventTemplate): VerifiedEvent;
  /** The raw private key, for nostr-tools' NIP-17/59 wrapping (which needs it to encrypt). */
  readonly privateKey: Secret<Uint8Array>;
}

export function nostrSignerOf(key: NostrKey): NostrSigner {
  return {
    pubkey: key.pubkey,
    privateKey: key.privateKey,
    sign: (template) => finalizeEvent(template, key.privateKey.reveal()),
  };
}
