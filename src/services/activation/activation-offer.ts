import type { NostrEvent } from "nostr-tools/pure";
import { z } from "zod";

/** Where the instance serves its offer (GET, no auth) and takes the package (POST, NIP-98). */
export const ACTIVATION_PATH = "/api/activation";

export const ACTIVATION_PROTOCOL_VERSION = 1;

/** What `GET /api/activation` answers: public data only. */
export interface ActivationOffer {
  readonly version: typeof ACTIVATION_PROTOCOL_VERSION;
  readonly agentId: string;
  readonly nonce: string;
  /** 64-hex x-only secp256k1 key the package is sealed to; a new one on every start of the instance. */
  readonly ephemeralPubkey: string;
  /** `canary`: activated as an upgrade's trial; it still takes a leader activation. */
  readonly state: "awaiting" | "activated" | "canary";
  /** The generation the instance was activated with; null while awaiting. */
  readonly generation: number | null;
  /** The acknowledgement it answered; null while awaiting. */
  readonly acknowledgement: NostrEvent | null;
  /** How many activation attempts this instance refused (absent from older builds). */
  readonly refused?: number;
}

export const hex64Schema = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex characters");

export const nostrEventSchema = z.object({
  id: hex64Schema,
  pubkey: hex64Schema,
  created_at: z.number().int().nonnegative(),
  kind: z.number().int(),
  tags: z.array(z.array(z.string())),
  content: z.string(),
  sig: z.string().regex(/^[0-9a-f]{128}$/),
});

export const activationOfferSchema = z.object({
  version: z.literal(ACTIVATION_PROTOCOL_VERSION),
  agentId: z.string().min(1),
  nonce: z.string().min(1),
  ephemeralPubkey: hex64Schema,
  state: z.enum(["awaiting", "activated", "canary"]),
  generation: z.number().int().nonnegative().nullable(),
  acknowledgement: nostrEventSchema.nullable(),
  refused: z.number().int().nonnegative().optional(),
});
