import type { AgentConfig } from "../config/index.js";
import { UsageError } from "../errors.js";
import type { Logger } from "../logging/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import { type AgentStore, openAgentStore } from "../services/store/index.js";
import { connectNetwork } from "./network-connection.js";
import type { TakeBackDeps } from "./take-back.js";
import { nostrRelaysOf } from "./voice-setup.js";

/**
 * Opens the data directory's store and the network (chain, provider gateway, relays) for as long as
 * `use` runs, without starting the agent: what `run --take-back` and the guardian look through.
 * The embedded devnet is refused: the agent's lease lives on the devnet it was deployed on.
 */
export async function withTakeBackDeps<T>(
  o: { config: AgentConfig; keys: AgentKeys; logger: Logger; silentAfterMs: number; now?: () => number },
  use: (deps: TakeBackDeps, store: AgentStore) => Promise<T>,
): Promise<T> {
  const { config, keys, logger } = o;
  if (config.network === "devnet" && !config.devnet.url) {
    throw new UsageError(
      "--take-back and --guardian on the devnet need --devnet-url (the running devnet the agent was deployed on)",
    );
  }
  const store = openAgentStore({ dataDir: config.dataDir });
  try {
    const connection = await connectNetwork({ config, wallets: await keys.akashWallets(), store, logger });
    try {
      return await use(
        {
          leadership: store.leadership,
          chain: connection.chain,
          gateway: connection.gateway,
          relays: nostrRelaysOf(config, connection.nostrRelay),
          pubkey: keys.identity.nostrPubkey,
          silentAfterMs: o.silentAfterMs,
          now: o.now ?? Date.now,
          logger,
        },
        store,
      );
    } finally {
      await connection.close();
    }
  } finally {
    store.close();
  }
}
