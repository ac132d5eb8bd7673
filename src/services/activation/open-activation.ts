import { npubEncode } from "nostr-tools/nip19";
import { type Nip98Request, verifyNip98 } from "../../server/nip98-auth.js";
import { AgentKeys, type KeystoreContents, KeystoreError } from "../keys/index.js";
import { decodeKeystorePlaintext } from "../keys/keystore-codec.js";
import { ActivationRefusedError } from "./activation-errors.js";
import type { EphemeralActivationKey } from "./ephemeral-key.js";
import { parseSealedActivation, type SealedActivation, unsealActivationPackage } from "./sealed-package.js";

/** What the instance's manifest says it is for. */
export interface ActivationExpectation {
  readonly agentId: string;
  readonly nonce: string;
  /** The deployment owner, `akash1…`: the keystore's current Akash key must be it. */
  readonly owner: string;
}

/** A package that passed every check. `keys` and `contents` hold the secrets; `store` is the store image. */
export interface OpenedActivation {
  readonly keys: AgentKeys;
  readonly contents: KeystoreContents;
  readonly store: Buffer;
  readonly settings: Record<string, unknown>;
  readonly generation: number;
  /** `canary`: a trial of an upgrade, not a leader (see `ActivationPackage.mode`). */
  readonly mode?: "canary";
  readonly syncFrom?: string;
}

/** A POST whose NIP-98 Authorization checked out, and who signed it. */
export interface ActivationAuth {
  readonly pubkey: string;
  readonly eventId: string;
  /** When the event could no longer pass the time check (ms): a replay guard may forget it then. */
  readonly expiresAt: number;
}

/** Checks the NIP-98 Authorization (any signer: who may sign is known only once the keystore is open). */
export function authenticateActivation(request: Nip98Request, nowMs: number): ActivationAuth {
  const outcome = verifyNip98(request, null, nowMs);
  if (!outcome.ok) throw new ActivationRefusedError(401, outcome.error);
  return { pubkey: outcome.pubkey, eventId: outcome.eventId, expiresAt: outcome.expiresAt };
}

/** Refuses a package addressed to another agent, nonce or ephemeral key, before any decryption. */
export function checkAddressee(
  sealed: SealedActivation,
  expected: Pick<ActivationExpectation, "agentId" | "nonce">,
  ephemeralPubkey: string,
): void {
  if (sealed.agentId !== expected.agentId) {
    throw new ActivationRefusedError(
      403,
      `the package is for agent ${sealed.agentId}, this instance was deployed for ${expected.agentId}`,
    );
  }
  if (sealed.nonce !== expected.nonce) {
    throw new ActivationRefusedError(
      403,
      "the package's nonce is not this instance's activation nonce: it was meant for another deployment",
    );
  }
  if (sealed.ephemeralPubkey !== ephemeralPubkey) {
    throw new ActivationRefusedError(
      409,
      `the package is sealed to ephemeral key ${sealed.ephemeralPubkey}, this instance now offers ` +
        `${ephemeralPubkey} (it restarted): GET /api/activation again and reseal`,
    );
  }
}

/**
 * Opens an authenticated package and checks that it is this agent's: the keystore derives the NIP-98
 * signer's Nostr key, the manifest's agent id and the deployment owner's Akash address. Every refusal
 * is an `ActivationRefusedError` with its HTTP status; no message holds a secret.
 */
export function openAuthenticatedActivation(o: {
  auth: ActivationAuth;
  sealed: SealedActivation;
  ephemeral: EphemeralActivationKey;
  expected: ActivationExpectation;
}): OpenedActivation {
  const { auth, sealed, ephemeral, expected } = o;
  checkAddressee(sealed, expected, ephemeral.publicKeyHex);
  let conversationKey: Uint8Array;
  try {
    conversationKey = ephemeral.conversationKey(auth.pubkey);
  } catch {
    throw new ActivationRefusedError(401, "the NIP-98 signer's key is not a valid secp256k1 point");
  }
  let parts: ReturnType<typeof unsealActivationPackage>;
  try {
    parts = unsealActivationPackage(sealed, conversationKey);
  } finally {
    conversationKey.fill(0);
  }
  let contents: KeystoreContents;
  try {
    contents = decodeKeystorePlaintext(parts.keystore, "the activation package's keystore");
  } catch (error) {
    if (error instanceof KeystoreError) throw new ActivationRefusedError(400, error.message);
    throw error;
  } finally {
    parts.keystore.fill(0);
  }
  const keys = AgentKeys.fromContents(contents);
  const { identity } = keys;
  if (identity.nostrPubkey !== auth.pubkey) {
    throw new ActivationRefusedError(
      403,
      `the package is signed by ${npubEncode(auth.pubkey)} but its keystore's Nostr key is ${identity.npub}: ` +
        "sign with the agent's own Nostr key",
    );
  }
  if (identity.agentId !== expected.agentId) {
    throw new ActivationRefusedError(
      403,
      `a keystore for another agent: it opens agent ${identity.agentId}, this instance was deployed for ${expected.agentId}`,
    );
  }
  if (identity.akash !== expected.owner) {
    throw new ActivationRefusedError(
      403,
      `a keystore for another agent: its Akash address ${identity.akash} is not the deployment owner ${expected.owner}`,
    );
  }
  return {
    keys,
    contents,
    store: parts.store,
    settings: parts.settings,
    generation: sealed.generation,
    ...(sealed.mode === undefined ? {} : { mode: sealed.mode }),
    ...(sealed.syncFrom === undefined ? {} : { syncFrom: sealed.syncFrom }),
  };
}

/** `authenticateActivation`, the body's parse and `openAuthenticatedActivation` in one call. */
export function openActivation(o: {
  request: Nip98Request;
  ephemeral: EphemeralActivationKey;
  expected: ActivationExpectation;
  nowMs: number;
}): OpenedActivation {
  const auth = authenticateActivation(o.request, o.nowMs);
  const sealed = parseSealedActivation(o.request.body);
  return openAuthenticatedActivation({ auth, sealed, ephemeral: o.ephemeral, expected: o.expected });
}
