import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { assertAccountIndex } from "./key-indices.js";
import type { Secret, SecretRegistry } from "./secret.js";
import { secretBytes } from "./secret.js";

/** Domain-separation salt for every HKDF output this agent derives from its BIP39 seed. */
const HKDF_SALT = utf8ToBytes("akash-agent/hkdf/v1");
const AGENT_ID_INFO = "akash-agent/agent-id/v1";
const ENCRYPTION_KEY_INFO = "akash-agent/encryption-key/v1/account";

function expand(seed: Secret<Uint8Array>, info: string, length: number): Uint8Array {
  return hkdf(sha256, seed.reveal(), HKDF_SALT, utf8ToBytes(info), length);
}

/**
 * 32-byte symmetric key for the agent's own data (e.g. AES-256-GCM of archived state), one per account
 * index so rotation yields a fresh key: HKDF-SHA256(seed, salt "akash-agent/hkdf/v1",
 * info "akash-agent/encryption-key/v1/account/<index>").
 */
export function deriveEncryptionKey(
  seed: Secret<Uint8Array>,
  index: number,
  registry?: SecretRegistry,
): Secret<Uint8Array> {
  assertAccountIndex(index);
  return secretBytes(expand(seed, `${ENCRYPTION_KEY_INFO}/${index}`, 32), registry);
}

/**
 * The label of the workload key. It is fixed: it never follows the encryption key's index. It is the
 * label the index-0 encryption key has, on purpose: the postgres password used to be derived from the
 * current encryption key, and every deployment made so far was made at index 0, so keeping the bytes
 * keeps those deployments' manifest version.
 */
const WORKLOAD_KEY_INFO = `${ENCRYPTION_KEY_INFO}/0`;

/**
 * 32-byte key that the deployment's own secrets derive from (the postgres password in the SDL).
 * Those secrets are part of the manifest, whose version (hash) is on chain, so they must not change
 * when a key rotates: this key does not rotate. HKDF-SHA256(seed, salt "akash-agent/hkdf/v1",
 * info "akash-agent/encryption-key/v1/account/0"), whatever the encryption key's current index.
 */
export function deriveWorkloadKey(seed: Secret<Uint8Array>, registry?: SecretRegistry): Secret<Uint8Array> {
  return secretBytes(expand(seed, WORKLOAD_KEY_INFO, 32), registry);
}

/**
 * The agent's stable public name, `agent-` + 32 hex characters: HKDF-SHA256(seed, salt
 * "akash-agent/hkdf/v1", info "akash-agent/agent-id/v1"), 16 bytes. It comes from the seed rather
 * than from any public key, so it survives every rotation, links to no key (not even a revoked one),
 * and, HKDF being one-way, says nothing about the seed. It names the agent; it proves nothing.
 */
export function deriveAgentId(seed: Secret<Uint8Array>): string {
  return `agent-${Buffer.from(expand(seed, AGENT_ID_INFO, 16)).toString("hex")}`;
}
