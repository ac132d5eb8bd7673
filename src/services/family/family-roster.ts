import type { Event, EventTemplate } from "nostr-tools/core";
import * as nip44 from "nostr-tools/nip44";
import { verifyEvent } from "nostr-tools/pure";
import { z } from "zod";
import { type ArweaveJwk, parseArweaveJwk } from "../keys/arweave-key.js";
import { type Secret, secretString } from "../keys/secret.js";

/**
 * The family roster (DESIGN §13, life): after each birth, retirement or resurrection the parent tells
 * every living child who its siblings are and hands it what it needs to resurrect them should the
 * parent be gone. One addressable event per child (NIP-78 application data, kind 30078, `d` =
 * `akash-agent/family-roster/<child pubkey hex>`, `p` = the child), signed by the parent, its content
 * NIP-44 encrypted to that child: a newer roster replaces the older on every relay.
 */
export const ROSTER_KIND = 30078;
export const ROSTER_D_PREFIX = "akash-agent/family-roster/";

export const rosterDTag = (childPubkey: string) => `${ROSTER_D_PREFIX}${childPubkey}`;

const memberSchema = z.strictObject({
  index: z.number().int().min(0),
  childId: z.string().min(1),
  akash: z.string().min(1),
  npub: z.string().min(1),
  /** When the child was born (ms since the epoch), null when the parent does not know. */
  bornAt: z.number().int().nullable(),
  /** Its last known deployment and provider. */
  dseq: z.string().nullable(),
  provider: z.string().nullable(),
});

const parentSchema = z.strictObject({
  agentId: z.string().min(1),
  akash: z.string().min(1),
  npub: z.string(),
});

/** What every member may see, and what a sibling's machine keeps: public data only. */
const publicRosterSchema = z.strictObject({
  parent: parentSchema,
  members: z.array(memberSchema),
  /** When the parent made this roster (ms). */
  publishedAt: z.number().int().positive(),
});

const contentSchema = publicRosterSchema.extend({
  v: z.literal(1),
  /** The child this copy is for. */
  recipient: z.string().min(1),
  /** What it takes to resurrect each OTHER living child; never the recipient's own nor the parent's. */
  secrets: z.array(
    z.strictObject({ childId: z.string().min(1), mnemonic: z.string().min(1), arweaveJwk: z.unknown() }),
  ),
});

export type RosterMember = z.infer<typeof memberSchema>;
export type FamilyRoster = z.infer<typeof publicRosterSchema>;

/** A sibling's secrets, as the recipient holds them (in memory only, while it uses them). */
export interface SiblingSecrets {
  readonly mnemonic: Secret<string>;
  /** Null when the parent kept no Arweave wallet for it (that sibling has no backups to come back from). */
  readonly arweaveJwk: Secret<ArweaveJwk> | null;
}

export interface RosterCopy {
  readonly roster: FamilyRoster;
  readonly secrets: ReadonlyMap<string, SiblingSecrets>;
  /** The event's created_at (s). */
  readonly createdAtSeconds: number;
}

/** One child's copy of the roster, as the parent builds it (the secrets revealed only to encrypt them). */
export interface RosterRecipient {
  readonly childId: string;
  readonly pubkey: string;
}

export function rosterTemplate(o: {
  roster: FamilyRoster;
  recipient: RosterRecipient;
  /** Every living child's secrets by childId; the recipient's own is left out here. */
  secrets: ReadonlyMap<string, SiblingSecrets>;
  parentPrivateKey: Secret<Uint8Array>;
  createdAtSeconds: number;
}): EventTemplate {
  const secrets = [...o.secrets]
    .filter(([childId]) => childId !== o.recipient.childId)
    .map(([childId, secret]) => ({
      childId,
      mnemonic: secret.mnemonic.reveal(),
      arweaveJwk: secret.arweaveJwk?.reveal() ?? null,
    }));
  const plaintext = JSON.stringify({ v: 1, recipient: o.recipient.childId, ...o.roster, secrets });
  const key = nip44.getConversationKey(o.parentPrivateKey.reveal(), o.recipient.pubkey);
  return {
    kind: ROSTER_KIND,
    created_at: o.createdAtSeconds,
    tags: [
      ["d", rosterDTag(o.recipient.pubkey)],
      ["p", o.recipient.pubkey],
    ],
    content: nip44.encrypt(plaintext, key),
  };
}

/**
 * The roster in an event from a relay, for the child holding `ownPrivateKey` (x-only `ownPubkey`), or
 * null when it is not a correctly signed roster from `parentPubkey` addressed to this child. The secrets
 * are wrapped (and their spellings registered for redaction) as soon as they are parsed.
 */
export function openRoster(
  untrusted: Event,
  o: { parentPubkey: string; ownPubkey: string; ownPrivateKey: Secret<Uint8Array>; ownAgentId: string },
): RosterCopy | null {
  // verifyEvent caches its verdict on the object it is given: check a fresh copy (DESIGN §10).
  const event = JSON.parse(JSON.stringify(untrusted ?? null)) as Event | null;
  if (typeof event !== "object" || event === null || event.kind !== ROSTER_KIND) return null;
  if (event.pubkey !== o.parentPubkey || !Array.isArray(event.tags)) return null;
  const tag = (name: string) => event.tags.find((t) => t[0] === name)?.[1];
  if (tag("d") !== rosterDTag(o.ownPubkey) || tag("p") !== o.ownPubkey) return null;
  try {
    if (!verifyEvent(event)) return null;
  } catch {
    return null;
  }
  let content: unknown;
  try {
    const key = nip44.getConversationKey(o.ownPrivateKey.reveal(), o.parentPubkey);
    content = JSON.parse(nip44.decrypt(event.content, key));
  } catch {
    return null;
  }
  const parsed = contentSchema.safeParse(content);
  if (!parsed.success || parsed.data.recipient !== o.ownAgentId) return null;
  const secrets = new Map<string, SiblingSecrets>();
  for (const entry of parsed.data.secrets) {
    if (entry.childId === o.ownAgentId) continue;
    const jwk = entry.arweaveJwk === null ? null : parseArweaveJwk(entry.arweaveJwk);
    secrets.set(entry.childId, {
      mnemonic: secretString(entry.mnemonic),
      arweaveJwk: jwk?.ok ? jwk.jwk : null,
    });
  }
  const { parent, members, publishedAt } = parsed.data;
  return { roster: { parent, members, publishedAt }, secrets, createdAtSeconds: event.created_at };
}
