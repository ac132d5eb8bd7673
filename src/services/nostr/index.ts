export { type AgentAnnouncer, createAgentAnnouncer } from "./agent-announcer.js";
export {
  HEARTBEAT_D_TAG,
  HEARTBEAT_KIND,
  type Heartbeat,
  heartbeatTemplate,
  parseHeartbeat,
  type ReceivedHeartbeat,
} from "./heartbeat-event.js";
export {
  HeartbeatReaderError,
  type HeartbeatWatch,
  memberPubkey,
  watchHeartbeats,
} from "./heartbeat-reader.js";
export { type NostrSigner, nostrSignerOf } from "./nostr-signer.js";
export { RELAY_LIST_KIND, relayListTemplate } from "./relay-list.js";
export {
  NostrPublishError,
  type PublishOutcome,
  publishEvent,
  publishToAnyRelay,
} from "./relay-publisher.js";
