/** The NIP-11 relay information document (served for `Accept: application/nostr+json`). */
export interface RelayInformation {
  readonly name: string;
  readonly description: string;
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

export const MAX_MESSAGE_BYTES = 512 * 1024;
export const MAX_SUBSCRIPTIONS = 20;
/** @nostr-relay/event-repository-sqlite clamps `limit` to 10 × its default of 100. */
export const MAX_LIMIT = 1000;

export function relayInformation(): RelayInformation {
  return {
    name: "akash-agent devnet relay",
    description:
      "A local Nostr relay for tests (@nostr-relay/core with SQLite); gift wraps go only to their recipient.",
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
