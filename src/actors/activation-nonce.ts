import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { AgentKeys } from "../services/keys/index.js";

const NONCE_BYTES = 18;
const DSEQ = /^[1-9]\d{0,19}$/;

/**
 * The activation nonce of the agent's deployment `dseq` (AGENT_ACTIVATION_NONCE in its manifest).
 * Derived, not drawn: the SDL of one deployment must regenerate byte-identical after a restart (same
 * manifest version), and the leader recomputes it to check the instance it activates. From the
 * workload key, which does not rotate, so a key rotation does not change a running deployment's nonce.
 */
export function activationNonce(keys: AgentKeys, dseq: string): string {
  if (typeof dseq !== "string" || !DSEQ.test(dseq)) {
    throw new TypeError(
      `activationNonce: dseq must be a deployment sequence in decimal digits, got ${JSON.stringify(dseq)}`,
    );
  }
  const info = new TextEncoder().encode(`akash-agent/activation-nonce/v1:${dseq}`);
  return Buffer.from(hkdf(sha256, keys.workloadKey().reveal(), undefined, info, NONCE_BYTES)).toString(
    "base64url",
  );
}
