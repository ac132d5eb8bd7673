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
  const accounts = new AkashAccounts({
    initial: {
      index: initial.identity.keyIndices.akash,
      chain: connection.chain,
      gateway: connection.gateway,
    },
    connect: (wallets) => connection.connectAccount(wallets),
    wallets: (index) => keys().akashWallets(index),
    addressAt: (index) => keys().akashKey(index).address,
  });
  // A restart in the middle of an Akash key rotation's move: the lease that serves is still the
  // previous key's, and reads of it fall back to the accounts already opened.
  const index = initial.identity.keyIndices.akash;
  if (index > 0) accounts.account(index - 1).catch(() => undefined);
  return accounts;
}
