import { MAX_LIMIT, MAX_MESSAGE_BYTES, MAX_SUBSCRIPTIONS } from "./relay-core.js";

/** The NIP-11 relay information document (served for `Accept: application/nostr+json`). */
export interface RelayInformation {
  readonly name: string;
  readonly description: string;
  readonly pubkey?: string;
  readonly supported_nips: readonly number[];
  readonly software: string;
  readonly version: string;
  readonly limitation: {
    readonly max_message_length: number;
    readonly max_subscriptions: number;
    readonly max_limit: number;
    readonly auth_required: boolean;
    readonly restricted_writes: boolean;
  };
}

export function relayInformation(about: {
  name: string;
  description: string;
  pubkey?: string;
}): RelayInformation {
  return {
    name: about.name,
    description: about.description,
    ...(about.pubkey ? { pubkey: about.pubkey } : {}),
    // 1 events and subscriptions, 11 this document, 42 AUTH (kind 4 and kind 1059 reads need it).
    supported_nips: [1, 11, 42],
    software: "https://github.com/CodyTseng/nostr-relay",
    version: "0.0.40",
    limitation: {
      max_message_length: MAX_MESSAGE_BYTES,
      max_subscriptions: MAX_SUBSCRIPTIONS,
      max_limit: MAX_LIMIT,
      auth_required: false,
      restricted_writes: false,
    },
  };
}
