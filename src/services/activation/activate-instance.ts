import type { NostrEvent } from "nostr-tools/pure";
import { z } from "zod";
import type { AgentKeys } from "../keys/index.js";
import { verifyAcknowledgement } from "./acknowledgement.js";
import {
  ActivationFailedError,
  type ActivationRefusalStatus,
  ActivationRefusedError,
} from "./activation-errors.js";
import {
  ACTIVATION_PATH,
  type ActivationOffer,
  activationOfferSchema,
  nostrEventSchema,
} from "./activation-offer.js";
import type { ActivationPackage } from "./activation-package.js";
import { nip98Authorization } from "./nip98-authorization.js";
import { sealActivationPackage } from "./sealed-package.js";

export const DEFAULT_ACTIVATION_TIMEOUT_MS = 60_000;

export interface ActivateInstanceOptions {
  /** The instance's base URL (http(s)://host:port). */
  readonly url: string;
  readonly keys: AgentKeys;
  /** The agent and the nonce the leader put in this deployment's manifest. */
  readonly expected: { readonly agentId: string; readonly nonce: string };
  /** Makes the package for this offer (called only when the instance awaits activation). */
  readonly build: (offer: ActivationOffer) => Promise<ActivationPackage>;
  /** Per request (the offer, then the package). */
  readonly timeoutMs?: number;
  /** `canary`: an upgrade's trial; a canary instance answers it again, and takes a later leader activation. */
  readonly mode?: "canary";
}

export interface ActivationReceipt {
  readonly generation: number;
  /** Signed by the agent's Nostr key: the instance opened the keystore. */
  readonly acknowledgement: NostrEvent;
  /** The instance was activated before this call (a retry after a crash): nothing was sent. */
  readonly alreadyActivated: boolean;
}

const answerSchema = z.object({ generation: z.number().int(), acknowledgement: nostrEventSchema });
const refusalSchema = z.object({ error: z.string() });
const REFUSAL_STATUSES: readonly number[] = [400, 401, 403, 409, 413];

/**
 * The leader's side: reads the instance's offer, refuses to send anything to an instance that does not
 * offer this agent's id and nonce, returns the stored acknowledgement when it is activated already, and
 * otherwise seals the package to the offered ephemeral key, POSTs it NIP-98-signed by the agent's Nostr
 * key and checks the acknowledgement. The package's keystore bytes are zeroed once sealed.
 */
export async function activateInstance(o: ActivateInstanceOptions): Promise<ActivationReceipt> {
  const target = new URL(ACTIVATION_PATH, o.url).toString();
  const timeoutMs = o.timeoutMs ?? DEFAULT_ACTIVATION_TIMEOUT_MS;
  const fail = (reason: string, cause?: unknown) =>
    new ActivationFailedError(
      `activation of ${target}: ${reason}`,
      1,
      cause === undefined ? undefined : { cause },
    );
  const nostrPubkey = o.keys.identity.nostrPubkey;

  const offer = await readOffer(target, timeoutMs, fail);
  if (offer.agentId !== o.expected.agentId) {
    throw fail(
      `the instance offers activation for agent ${offer.agentId}, not ${o.expected.agentId}: nothing sent`,
    );
  }
  if (offer.nonce !== o.expected.nonce) {
    throw fail(
      "the instance offers another nonce than this deployment's manifest: not our instance, nothing sent",
    );
  }
  if (offer.state === "activated" || (offer.state === "canary" && o.mode === "canary")) {
    const { acknowledgement, generation } = offer;
    if (
      acknowledgement === null ||
      generation === null ||
      !verifyAcknowledgement(acknowledgement, { ...o.expected, generation, nostrPubkey })
    ) {
      throw fail("the instance says it is activated but shows no acknowledgement signed by this agent's key");
    }
    return { generation, acknowledgement, alreadyActivated: true };
  }

  const pkg = await o.build(offer);
  if (pkg.agentId !== o.expected.agentId || pkg.nonce !== o.expected.nonce) {
    pkg.keystore.reveal().fill(0);
    throw fail("the package built is for another agent or nonce than expected: nothing sent");
  }
  const privateKey = o.keys.nostrKey().privateKey;
  let sealed: ReturnType<typeof sealActivationPackage>;
  try {
    sealed = sealActivationPackage(pkg, privateKey, offer.ephemeralPubkey);
  } finally {
    pkg.keystore.reveal().fill(0);
  }
  const body = Buffer.from(JSON.stringify(sealed), "utf8");
  const authorization = nip98Authorization(target, body, privateKey);
  let response: Response;
  try {
    response = await fetch(target, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw fail(`the package could not be sent: ${reasonOf(error, timeoutMs)}`, error);
  }
  const json = await jsonOf(response);
  if (!response.ok) {
    const refusal = refusalSchema.safeParse(json);
    const reason = refusal.success ? refusal.data.error : `HTTP ${response.status}`;
    if (REFUSAL_STATUSES.includes(response.status)) {
      throw new ActivationRefusedError(
        response.status as ActivationRefusalStatus,
        `${target} refused the activation (${response.status}): ${reason}`,
      );
    }
    throw fail(`the instance answered ${response.status}: ${reason}`);
  }
  const answer = answerSchema.safeParse(json);
  if (!answer.success) throw fail("the instance's answer holds no acknowledgement");
  const { acknowledgement } = answer.data;
  const acknowledged = verifyAcknowledgement(acknowledgement, {
    ...o.expected,
    generation: pkg.generation,
    nostrPubkey,
    ephemeralPubkey: offer.ephemeralPubkey,
  });
  if (!acknowledged) {
    throw fail(
      `the acknowledgement is not this agent's signature over agent, nonce, generation ${pkg.generation} and the offered ephemeral key`,
    );
  }
  return { generation: pkg.generation, acknowledgement, alreadyActivated: false };
}

async function readOffer(
  target: string,
  timeoutMs: number,
  fail: (reason: string, cause?: unknown) => ActivationFailedError,
): Promise<ActivationOffer> {
  let response: Response;
  try {
    response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw fail(`the offer could not be read: ${reasonOf(error, timeoutMs)}`, error);
  }
  const json = await jsonOf(response);
  if (!response.ok)
    throw fail(`GET answered ${response.status}: is this an agent instance awaiting activation?`);
  const offer = activationOfferSchema.safeParse(json);
  if (!offer.success) {
    const field = offer.error.issues[0]?.path.join(".") || "offer";
    throw fail(`the offer is malformed (field ${field})`);
  }
  return offer.data;
}

async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? (error instanceof Error ? error.message : String(error));
}
