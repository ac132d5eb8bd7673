export { AgentRelay, type AgentRelayOptions, RELAY_EVENTS_FILE } from "./agent-relay.js";
export { readAllEvents } from "./relay-copy.js";
export { NIP11_MEDIA_TYPE } from "./relay-core.js";
export { followRelay, type RelayEventSink, type RelayFollower } from "./relay-follower.js";
export type { RelayInformation } from "./relay-information.js";
export type { RelayTraffic } from "./traffic-meter.js";
