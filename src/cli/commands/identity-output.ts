import type { AgentIdentity } from "../../services/keys/index.js";
import { print } from "../cli-options.js";

/** The public identity as `keys show --json` prints it (never a secret). */
export function identityJson(identity: AgentIdentity) {
  return {
    agentId: identity.agentId,
    akash: identity.akash,
    evm: identity.evm,
    npub: identity.npub,
    nostrPubkey: identity.nostrPubkey,
  };
}

export function printIdentity(identity: AgentIdentity): void {
  print(`Agent id      ${identity.agentId}`);
  print(`Akash         ${identity.akash}   (key index ${identity.keyIndices.akash})`);
  print(`Cronos (EVM)  ${identity.evm}   (key index ${identity.keyIndices.evm})`);
  print(`Nostr         ${identity.npub}   (key index ${identity.keyIndices.nostr})`);
  if (identity.arweave) print(`Arweave       ${identity.arweave}`);
}
