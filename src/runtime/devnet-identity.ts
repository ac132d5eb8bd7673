import { devnetMnemonic } from "../devnet/devnet-wallet.js";
import {
  initialKeyIndices,
  KEYSTORE_CONTENTS_VERSION,
  type KeystoreBackend,
  type KeystoreContents,
  secretString,
} from "../services/keys/index.js";

/**
 * On the devnet an agent with no keystore uses a well-known test identity (like a local chain's
 * default accounts): derived from a public label, it guards only devnet tokens, and it keeps the
 * same address across restarts. It lives in memory only and is never used on a real network.
 */
export function devnetAgentKeystore(now: Date = new Date()): KeystoreBackend {
  let contents: KeystoreContents = Object.freeze({
    version: KEYSTORE_CONTENTS_VERSION,
    mnemonic: secretString(devnetMnemonic("akash-agent devnet agent v1")),
    arweaveJwk: null,
    keyIndices: initialKeyIndices,
    createdAt: now.toISOString(),
    rotatedAt: Object.freeze({}),
  });
  return {
    // In memory: a rotation would be forgotten at the next start.
    durable: false,
    describe: () => "the devnet's well-known test identity (in memory)",
    exists: async () => true,
    load: async () => contents,
    save: async (next) => {
      contents = next;
    },
  };
}
