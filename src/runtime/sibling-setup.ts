import { join } from "node:path";
import type { SiblingOperations } from "../actors/sibling-operations.js";
import type { AgentConfig } from "../config/index.js";
import { ownCliCommand } from "../devnet/agent-entry-point.js";
import { EffectError } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import { type RosterReader, readLatestRoster } from "../services/family/family-roster-relays.js";
import { resurrectUnlessAlive } from "../services/family/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import { memberPubkey } from "../services/nostr/heartbeat-reader.js";
import { inheritedChildSettings } from "./child-settings.js";

/** The exit code of `run --take-back` when the sibling is not silent or its lease not gone. */
const _TAKE_BACK_REFUSED = 3;

export interface SiblingSetupOptions {
  config: AgentConfig;
  /** The agent's keys now (a rotation replaces them). */
  keys: () => AgentKeys;
  logger: Logger;
  /** The devnet's control URL the sibling's runs use (null off the devnet). */
  devnetUrl: string | null;
  /** The relays the family publishes heartbeats and rosters on (ours). */
  relays: () => string[];
  /** The provider this agent's own lease runs on now, if any. */
  ownProvider: () => string | null;
}

/**
 * A child's operations on its siblings (DESIGN §13, life): when the parent is gone, the eldest live
 * sibling runs the parent's resurrection runner for a silent sibling, with that sibling's secrets from
 * the parent's latest roster (read from the relays for each attempt, never kept) and the parent's
 * grants (`reproduction.parent`): the resurrected sibling still draws on its parent's account.
 */
export function createSiblingOperations(o: SiblingSetupOptions): SiblingOperations | undefined {
  const parent = o.config.reproduction.parent;
  if (!parent) return undefined;
  const log = o.logger.child({ component: "siblings" });
  const parentConfig = {
    network: o.config.network,
    devnet: { ...o.config.devnet, ...(o.devnetUrl ? { url: o.devnetUrl } : {}) },
    // The sibling may reproduce exactly as far as the parent allowed this agent to.
    reproduction: { ...o.config.reproduction, childrenMayReproduce: o.config.reproduction.enabled },
  };
  const rosterReader = (parentNpub: string): RosterReader => {
    const key = o.keys().nostrKey();
    return {
      parentPubkey: memberPubkey(parentNpub, "reproduction.parent.npub"),
      ownPubkey: key.pubkey,
      ownPrivateKey: key.privateKey,
      ownAgentId: o.keys().identity.agentId,
    };
  };

  return {
    rosterReader,

    async resurrect({ childId, attempt, avoidProviders, signal }) {
      const copy = await readLatestRoster(o.relays(), rosterReader(parent.npub));
      if (!copy) {
        throw new EffectError(
          "retryable",
          "no family roster from the parent on the relays: a sibling cannot be resurrected without it",
        );
      }
      const member = copy.roster.members.find((known) => known.childId === childId);
      const secrets = copy.secrets.get(childId);
      if (!member || !secrets) {
        throw new EffectError(
          "fatal",
          `the parent's latest roster holds no secrets of sibling ${childId}: it was retired or is not a sibling of this agent`,
        );
      }
      const dataDir = join(o.config.dataDir, "siblings", childId, `resurrection-${attempt}`);
      const own = o.ownProvider();
      const avoid = [
        ...new Set([...avoidProviders, ...(own ? [own] : []), ...(member.provider ? [member.provider] : [])]),
      ];
      const started = Date.now();
      const result = await resurrectUnlessAlive({
        parentConfig,
        cli: ownCliCommand(),
        parent,
        childMnemonic: secrets.mnemonic,
        ...(secrets.arweaveJwk ? { childArweaveJwk: secrets.arweaveJwk } : {}),
        child: { index: member.index, childId, akash: member.akash, npub: member.npub },
        lastKnown: member.dseq && member.provider ? { dseq: member.dseq, provider: member.provider } : null,
        dataDir,
        avoidProviders: avoid,
        relays: o.relays(),
        settings: inheritedChildSettings(o.config, copy.roster.parent.agentId),
        signal,
        onProgress: (line) => log.debug({ childId, line }, "sibling run"),
      });
      if (result.outcome === "resurrected") {
        log.info(
          { childId, dseq: result.dseq, provider: result.provider, ms: Date.now() - started },
          "sibling resurrected from its backup",
        );
      }
      return result;
    },
  };
}
