import { AkashAccounts } from "../services/akash/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import type { NetworkConnection } from "./network-connection.js";

/**
 * The agent's Akash accounts over a network connection: the connection's account is the primary one
 * (`initial`'s Akash index, the one it was connected with); other indices connect on demand with the
 * same endpoints. `keys` is read at each use, since a rotation replaces the agent's keys.
 */
export function openAkashAccounts(
  connection: NetworkConnection,
  initial: AgentKeys,
  keys: () => AgentKeys,
): AkashAccounts {
  return new AkashAccounts({
    initial: {
      index: initial.identity.keyIndices.akash,
      chain: connection.chain,
      gateway: connection.gateway,
    },
    connect: (wallets) => connection.connectAccount(wallets),
    wallets: (index) => keys().akashWallets(index),
    addressAt: (index) => keys().akashKey(index).address,
  });
}
