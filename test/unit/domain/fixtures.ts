import type { AgentIdentity, SdlInput, SdlSecrets, TrafficMetrics } from "../../../src/domain/index.js";

/** A syntactically valid akash1… address made of one repeated bech32 character. */
export const address = (char: string): string => `akash1${char.repeat(38)}`;

export const identity: AgentIdentity = {
  agentId: "agent-7f3a",
  akashAddress: address("q"),
  nostrPubkey: "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d",
  relayName: "Akash Agent Relay",
  relayDomain: "relay.example.com",
  network: "devnet",
  chainId: "akash-devnet-1",
  role: "root",
};

export const secrets: SdlSecrets = {
  postgresPassword: "pg-Secret-4f9c1e7a2b",
};

/** An input sized from traffic (so tests can spread it and replace `metrics`). */
export const baseInput: Extract<SdlInput, { metrics: TrafficMetrics }> = {
  metrics: { eventsPerSecond: 350, activeConnections: 25_000, storageUsedGi: 80 },
  identity,
  image: "ghcr.io/akash-agent/agent-relay:0.1.0",
  budget: { targetUsdPerDay: 5, actUsd: 1 },
  activationNonce: "n0nce-Of-Dseq-42_abcdefgh",
};
