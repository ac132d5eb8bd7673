/** The `nostr` entry of the devnet's endpoints (`--json`, `GET {control}/endpoints`). */
export interface DevnetNostrInfo {
  /** The relay's WebSocket URL (`ws://127.0.0.1:<port>`); NIP-11 is a GET of the same URL over http. */
  readonly relay: string;
}

/**
 * How the relay drops events under the "dropping events" fault:
 * - `reject`: `["OK", id, false, "error: …"]`, as a relay whose database fails (what @nostr-relay/core
 *   itself answers when its repository throws);
 * - `shadow`: `["OK", id, true, ""]` but the event is neither stored nor sent to subscribers, as a relay
 *   whose write policy shadow-rejects (strfry's `shadowReject`) or that loses writes after acknowledging them.
 */
export type NostrEventDropMode = "reject" | "shadow";

/** What the devnet handle offers for the relay (also served by the control API). */
export interface NostrDevnetControl {
  /** Closes every connection and the port (new connections are refused) until `setRelayUp()`. */
  setRelayDown(): Promise<void>;
  /** Listens again on the same port; stored events are still there. */
  setRelayUp(): Promise<void>;
  /** EVENT messages are dropped (see `NostrEventDropMode`) until `clearEventDrops()`. */
  dropEvents(mode?: NostrEventDropMode): void;
  clearEventDrops(): void;
  status(): NostrDevnetStatus;
}

export interface NostrDevnetStatus {
  readonly relay: string;
  readonly down: boolean;
  readonly dropEvents: NostrEventDropMode | null;
  readonly connections: number;
  /** Events in the store (replaced versions of replaceable events are not counted). */
  readonly storedEvents: number;
}
