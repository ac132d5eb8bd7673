import { AkashAccounts } from "../services/akash/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import type { NetworkConnection } from "./network-connection.js";

/**
 * The agent's Akash accounts over a network connection: the connection's account is the primary one
 * (the keystore's current index); other indices connect on demand with the same endpoints. `keys`
 * is read at each use, since a rotation replaces the agent's keys.
 */
export function openAkashAccounts(connection: NetworkConnection, keys: () => AgentKeys): AkashAccounts {
  return new AkashAccounts({
    initial: {
      index: keys().identity.keyIndices.akash,
      chain: connection.chain,
      gateway: connection.gateway,
    },
    connect: (wallets) => connection.connectAccount(wallets),
    wallets: (index) => keys().akashWallets(index),
    addressAt: (index) => keys().akashKey(index).address,
  });
}
