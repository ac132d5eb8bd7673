import type { Logger } from "../logging/index.js";
import {
  type ActivationOffer,
  type ActivationPackage,
  type ActivationReceipt,
  activateInstance,
} from "../services/activation/index.js";
import { exportStore } from "../services/backup/store-export.js";
import { type AgentKeys, type KeystoreBackend, secretBytes } from "../services/keys/index.js";
import { encodeKeystorePlaintext } from "../services/keys/keystore-codec.js";
import type { AgentStore, LeaderLocation } from "../services/store/index.js";
import { activationNonce } from "./sdl-factory.js";

/** The URL of a lease's service URI (`host[:port]`, as a provider lists it; port 80 without one). */
export function instanceUrl(uri: string): string {
  return /^https?:\/\//.test(uri) ? uri : `http://${uri}`;
}

/**
 * Activates the agent instance of `leader`'s deployment as generation `generation` (DESIGN §12): the
 * keystore and the store as they are now, encrypted to the instance's ephemeral key. The nonce the
 * instance shows must be the one this agent's keys derive for that dseq, or nothing is sent. An
 * instance already activated for this generation answers its acknowledgement again.
 */
export async function activateNextLeader(o: {
  keys: AgentKeys;
  keystore: KeystoreBackend;
  store: AgentStore;
  settings: Record<string, unknown>;
  leader: LeaderLocation;
  generation: number;
  logger: Logger;
  /** An upgrade's trial: the instance syncs the relay at `syncFrom` and does not lead (issue 18). */
  canary?: { syncFrom: string };
}): Promise<ActivationReceipt> {
  const { keys, store, leader, generation } = o;
  const url = instanceUrl(leader.uri);
  const build = async (offer: ActivationOffer): Promise<ActivationPackage> => ({
    agentId: keys.identity.agentId,
    nonce: offer.nonce,
    generation,
    keystore: secretBytes(encodeKeystorePlaintext(await o.keystore.load())),
    store: exportStore(store.db).bytes,
    settings: o.settings,
    ...(o.canary ? { mode: "canary" as const, syncFrom: o.canary.syncFrom } : {}),
  });
  o.logger.info(
    { url, generation, dseq: leader.dseq, mode: o.canary ? "canary" : "leader" },
    o.canary ? "activating the upgrade's canary" : "activating the agent's next instance",
  );
  return activateInstance({
    url,
    keys,
    expected: { agentId: keys.identity.agentId, nonce: activationNonce(keys, leader.dseq) },
    build,
    timeoutMs: 30_000,
    ...(o.canary ? { mode: "canary" as const } : {}),
  });
}
