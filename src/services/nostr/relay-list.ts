import type { EventTemplate } from "nostr-tools/pure";

/** NIP-65 relay list metadata. */
export const RELAY_LIST_KIND = 10002;

/** The agent's relay list: each relay it reads and writes (`r` tags without a marker mean both). */
export function relayListTemplate(relays: readonly string[], createdAtSeconds: number): EventTemplate {
  return {
    kind: RELAY_LIST_KIND,
    created_at: createdAtSeconds,
    tags: [...new Set(relays)].map((relay) => ["r", relay]),
    content: "",
  };
}
