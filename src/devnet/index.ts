export { ownAgentCommand, packageRoot } from "./agent-entry-point.js";
export type {
  DevnetEndpoints,
  DevnetFaults,
  DevnetHandle,
  DevnetOptions,
  DevnetProviderInfo,
  LeaseIdInput,
  TxFaultInput,
} from "./devnet-types.js";
export type { DnsDevnetControl, DnsDevnetStatus } from "./dns/index.js";
export type { FundResult } from "./faucet.js";
export type { RpcFaultSpec, RpcFaultTarget } from "./network-faults.js";
export type { DevnetNostrInfo, NostrDevnetControl, NostrEventDropMode } from "./nostr/index.js";
export { type AgentProcessOptions, ownAgentProcessOptions } from "./own-agent-processes.js";
export type { FailingImages } from "./provider/failing-images.js";
export type { ProviderHealth } from "./provider/provider-node.js";
export { DEFAULT_PROVIDER_PROFILES, type ProviderProfile } from "./provider/provider-profile.js";
export type { AgentProcessInfo } from "./provider/workload-runner.js";
export type {
  AlertChannel,
  AlertReceiversControl,
  DevnetReceiversInfo,
  ReceivedMessage,
} from "./receivers/index.js";
export { DEFAULT_BLOCK_TIME_MS, DEFAULT_PROVIDER_COUNT, startDevnet } from "./start-devnet.js";
