import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getToken } from "nostr-tools/nip98";
import { finalizeEvent } from "nostr-tools/pure";
import type { Nip98Request } from "../../src/server/nip98-auth.js";
import type { ActivationPackage, SealedActivation } from "../../src/services/activation/index.js";
import { nip98Authorization } from "../../src/services/activation/nip98-authorization.js";
import { exportStore } from "../../src/services/backup/store-export.js";
import {
  AgentKeys,
  EnvKeystore,
  generateMnemonic,
  type KeystoreContents,
  type Secret,
  secretBytes,
} from "../../src/services/keys/index.js";
import { encodeKeystorePlaintext } from "../../src/services/keys/keystore-codec.js";
import { openAgentStore } from "../../src/services/store/index.js";

/** An agent made for an activation test: its mnemonic, keystore contents and keys. */
export interface ActivationAgent {
  readonly mnemonic: string;
  readonly contents: KeystoreContents;
  readonly keys: AgentKeys;
}

export async function newActivationAgent(): Promise<ActivationAgent> {
  const mnemonic = generateMnemonic().reveal();
  const contents = await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load();
  return { mnemonic, contents, keys: AgentKeys.fromContents(contents) };
}

/** What an instance deployed for `agent` expects (its manifest and the deployment owner). */
export function expectationFor(agent: ActivationAgent, nonce: string) {
  return { agentId: agent.keys.identity.agentId, nonce, owner: agent.keys.identity.akash, dseq: "4242" };
}

/** A real agent store image holding one saved agent snapshot, as a leader would export it. */
export function agentStoreImage(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "activation-store-"));
  const store = openAgentStore({ dataDir: dir });
  try {
    store.snapshots.append({
      machineId: "agent",
      machineVersion: "1",
      snapshotJson: JSON.stringify({ status: "active", value: "running", context: { generation: 0 } }),
    });
    return exportStore(store.db).bytes;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function packageFor(
  agent: ActivationAgent,
  o: { nonce: string; generation: number; store: Uint8Array; settings?: Record<string, unknown> },
): ActivationPackage {
  return {
    agentId: agent.keys.identity.agentId,
    nonce: o.nonce,
    generation: o.generation,
    keystore: secretBytes(encodeKeystorePlaintext(agent.contents)),
    store: o.store,
    settings: o.settings ?? { "treasury.minRunwayDays": 7 },
  };
}

/** A POST of `sealed` to `url`'s /api/activation as the endpoint sees it, NIP-98-signed by `privateKey`. */
export async function signedActivationRequest(
  url: string,
  sealed: SealedActivation,
  privateKey: Secret<Uint8Array>,
): Promise<Nip98Request> {
  const target = new URL("/api/activation", url);
  const authorization = await getToken(
    target.toString(),
    "POST",
    (template) => finalizeEvent(template, privateKey.reveal()),
    true,
    sealed,
  );
  return {
    method: "POST",
    path: target.pathname,
    host: target.host,
    authorization,
    body: Buffer.from(JSON.stringify(sealed)),
  };
}

/** The same POST with the leader's own NIP-98 signing, synchronously, for any body. */
export function nip98PostOf(url: string, body: Buffer, privateKey: Secret<Uint8Array>): Nip98Request {
  const target = new URL("/api/activation", url);
  return {
    method: "POST",
    path: target.pathname,
    host: target.host,
    authorization: nip98Authorization(target.toString(), body, privateKey),
    body,
  };
}

/** Every spelling of the agent's secrets that must never appear in an error, an offer or a file. */
export function secretSpellings(agent: ActivationAgent): string[] {
  const words = agent.mnemonic.split(" ");
  const keyHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
  return [
    agent.mnemonic,
    words.slice(0, 3).join(" "),
    words.slice(-3).join(" "),
    keyHex(agent.keys.nostrKey().privateKey.reveal()),
    agent.keys.nostrKey().nsec.reveal(),
    keyHex(agent.keys.akashKey().privateKey.reveal()),
    keyHex(agent.keys.workloadKey().reveal()),
  ];
}
