export { nostrControlRoutes } from "./nostr-control-routes.js";
export { NOSTR_EVENTS_FILE, type NostrDevnet, startNostrDevnet } from "./nostr-devnet.js";
export type {
  DevnetNostrInfo,
  NostrDevnetControl,
  NostrDevnetStatus,
  NostrEventDropMode,
} from "./nostr-types.js";
