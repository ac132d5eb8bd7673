import { finalizeEvent, type NostrEvent, verifyEvent } from "nostr-tools/pure";
import { z } from "zod";
import type { AgentKeys } from "../keys/index.js";

/**
 * An activated instance's acknowledgement: a Nostr event signed by the agent's own Nostr key (which
 * the instance could only use after opening the keystore), so the leader knows the keys arrived.
 * Kind 30421 is this project's choice (no NIP assigns it; the heartbeat is 30420): addressable, with
 * `d` = `akash-agent/activation/<nonce>`, so a relay that is sent one keeps one per activation.
 */
export const ACTIVATION_ACK_KIND = 30421;
const D_TAG_PREFIX = "akash-agent/activation/";

/** The acknowledgement's content (JSON). */
export interface AcknowledgedActivation {
  readonly agentId: string;
  readonly nonce: string;
  readonly generation: number;
  /** The ephemeral key the package was sealed to. */
  readonly ephemeralPubkey: string;
  /** The deployment owner (`akash1…`) the keystore was checked against. */
  readonly owner: string;
  /** The deployment the instance runs in (decimal). */
  readonly dseq: string;
}

const contentSchema = z.strictObject({
  agentId: z.string(),
  nonce: z.string(),
  generation: z.number().int(),
  ephemeralPubkey: z.string(),
  owner: z.string(),
  dseq: z.string(),
});

export function signAcknowledgement(
  keys: AgentKeys,
  a: AcknowledgedActivation,
  createdAtSeconds = Math.floor(Date.now() / 1000),
): NostrEvent {
  const content: AcknowledgedActivation = {
    agentId: a.agentId,
    nonce: a.nonce,
    generation: a.generation,
    ephemeralPubkey: a.ephemeralPubkey,
    owner: a.owner,
    dseq: a.dseq,
  };
  return finalizeEvent(
    {
      kind: ACTIVATION_ACK_KIND,
      created_at: createdAtSeconds,
      tags: [
        ["d", `${D_TAG_PREFIX}${a.nonce}`],
        ["alt", `akash-agent activation of ${a.agentId} at generation ${a.generation}`],
      ],
      content: JSON.stringify(content),
    },
    keys.nostrKey().privateKey.reveal(),
  );
}

/** The content of a correctly signed acknowledgement, or null. */
export function readAcknowledgement(
  untrusted: NostrEvent,
): (AcknowledgedActivation & { pubkey: string }) | null {
  // verifyEvent caches its verdict on the object it is given: check a fresh copy (DESIGN §10).
  let event: NostrEvent;
  try {
    event = JSON.parse(JSON.stringify(untrusted)) as NostrEvent;
  } catch {
    return null;
  }
  if (event.kind !== ACTIVATION_ACK_KIND || !verifyEvent(event)) return null;
  let json: unknown;
  try {
    json = JSON.parse(event.content);
  } catch {
    return null;
  }
  const parsed = contentSchema.safeParse(json);
  if (!parsed.success) return null;
  if (!event.tags.some(([name, value]) => name === "d" && value === `${D_TAG_PREFIX}${parsed.data.nonce}`)) {
    return null;
  }
  return { ...parsed.data, pubkey: event.pubkey };
}

export interface AcknowledgementExpectation {
  readonly agentId: string;
  readonly nonce: string;
  readonly generation: number;
  /** The agent's Nostr key (hex): the acknowledgement must be signed by it. */
  readonly nostrPubkey: string;
  /** When given, the ephemeral key the package was sealed to. */
  readonly ephemeralPubkey?: string;
}

/** Whether `event` is an acknowledgement of this very activation, signed by the agent's Nostr key. */
export function verifyAcknowledgement(event: NostrEvent, expected: AcknowledgementExpectation): boolean {
  const ack = readAcknowledgement(event);
  return (
    ack !== null &&
    ack.pubkey === expected.nostrPubkey &&
    ack.agentId === expected.agentId &&
    ack.nonce === expected.nonce &&
    ack.generation === expected.generation &&
    (expected.ephemeralPubkey === undefined || ack.ephemeralPubkey === expected.ephemeralPubkey)
  );
}
