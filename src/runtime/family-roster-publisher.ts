import type { RosterMember, SiblingSecrets } from "../services/family/family-roster.js";
import { publishFamilyRoster } from "../services/family/family-roster-relays.js";
import { deriveChildMnemonic } from "../services/keys/child-mnemonic.js";
import type { AgentKeys, KeystoreBackend } from "../services/keys/index.js";
import { memberPubkey } from "../services/nostr/heartbeat-reader.js";

/**
 * The parent's side of the family roster (DESIGN §13, life): for every living child, one copy signed
 * by the parent and encrypted to that child, naming the whole family and carrying the other living
 * children's mnemonics (derived from ours) and Arweave wallets (from our keystore). Nothing of it is
 * logged or stored: the secrets are read, encrypted and dropped.
 */
export function createRosterPublisher(o: {
  keys: () => AgentKeys;
  keystore: KeystoreBackend;
  relays: () => string[];
  now: () => number;
}) {
  return async (members: readonly RosterMember[]): Promise<void> => {
    if (members.length === 0) return;
    const keys = o.keys();
    const contents = await o.keystore.load();
    const secrets = new Map<string, SiblingSecrets>(
      members.map((member) => [
        member.childId,
        {
          mnemonic: deriveChildMnemonic(keys.mnemonic(), member.index),
          arweaveJwk: contents.childArweaveJwks?.[String(member.index)] ?? null,
        },
      ]),
    );
    const now = o.now();
    await publishFamilyRoster({
      relays: o.relays(),
      roster: {
        parent: { agentId: keys.identity.agentId, akash: keys.identity.akash, npub: keys.identity.npub },
        members: [...members],
        publishedAt: now,
      },
      recipients: members.map((member) => ({
        childId: member.childId,
        pubkey: memberPubkey(member.npub, `child ${member.childId} npub`),
      })),
      secrets,
      parentPrivateKey: keys.nostrKey().privateKey,
      now,
    });
  };
}
