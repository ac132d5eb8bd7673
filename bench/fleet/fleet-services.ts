import type { ActorSettings, AgentServices } from "../../src/actors/agent-services.js";
import { ScriptedMetrics } from "../../src/actors/metrics-source.js";
import { createSdlFactory } from "../../src/actors/sdl-factory.js";
import type { Logger } from "../../src/logging/index.js";
import { AgentKeys, createKeystoreContents, EnvKeystore } from "../../src/services/keys/index.js";
import type { AgentStore } from "../../src/services/store/index.js";
import type { SimulatedAkash } from "./simulated-akash.js";

export const actorSettings: ActorSettings = {
  pollIntervalMs: 6_000,
  leaseConfirmTimeoutMs: 120_000,
  servicesReadyTimeoutMs: 300_000,
  mintSettleTimeoutMs: 600_000,
  slowProviderMs: 2_000,
  blockSeconds: 6,
  actUsd: 1,
  aktUsdFallback: 0.5,
  scoringWeights: { price: 40, uptime: 30, reputation: 20, diversity: 10 },
  trustedAuditors: [],
};

/**
 * Each agent's services over the simulated chain: its own owner account, the shared provider
 * gateway and directory, one store for the whole host. The SDL is the agent's real SDL factory;
 * every agent shares one set of keys (deriving 10,000 keystores would only time key derivation).
 */
export async function fleetServices(options: {
  sim: SimulatedAkash;
  store: AgentStore;
  logger: Logger;
  now: () => number;
}): Promise<(agentId: string) => AgentServices> {
  const keys = AgentKeys.fromContents(
    await createKeystoreContents({ now: new Date(options.now()), arweaveJwk: null }),
  );
  const sdl = createSdlFactory({
    keys,
    identity: {
      agentId: keys.identity.agentId,
      akashAddress: keys.identity.akash,
      nostrPubkey: keys.identity.nostrPubkey,
      relayName: "relay",
      relayDomain: "relay.example.com",
      network: "devnet",
      chainId: "akash-sim-1",
      role: "root",
    },
    image: "ghcr.io/akash-agent/agent-relay:0.1.0",
    budget: { targetUsdPerDay: 5, actUsd: 1 },
  });
  const base = {
    gateway: options.sim.gateway,
    directory: options.sim.directory,
    store: options.store,
    keys,
    keystore: new EnvKeystore({ env: {} }),
    sdl,
    metrics: new ScriptedMetrics(),
    logger: options.logger,
    settings: actorSettings,
    now: options.now,
  };
  return (agentId) => ({ ...base, chain: options.sim.chainFor(ownerOf(agentId)) });
}

export const ownerOf = (agentId: string) => `akash1${agentId}`;
