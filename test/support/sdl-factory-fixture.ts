import { createSdlFactory } from "../../src/actors/sdl-factory.js";
import type { AgentKeys } from "../../src/services/keys/index.js";

/** The agent's SDL factory for `keys` with a fixed identity, image and budget on the devnet. */
export function sdlFactoryFor(keys: AgentKeys) {
  return createSdlFactory({
    keys,
    identity: {
      agentId: keys.identity.agentId,
      akashAddress: keys.identity.akash,
      nostrPubkey: keys.identity.nostrPubkey,
      relayName: "relay",
      relayDomain: "relay.example.com",
      network: "devnet",
      chainId: "akash-devnet-1",
      role: "root",
    },
    image: "ghcr.io/akash-agent/agent-relay:0.1.0",
    budget: { targetUsdPerDay: 5, actUsd: 1 },
  });
}
