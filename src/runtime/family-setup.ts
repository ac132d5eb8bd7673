import { join } from "node:path";
import type { CronosTreasury } from "../actors/cronos-treasury.js";
import type { FamilyOperations, FamilyTraffic, MarketProvider } from "../actors/family-operations.js";
import type { AgentConfig } from "../config/index.js";
import { ownCliCommand } from "../devnet/agent-entry-point.js";
import { EffectError } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import type { AkashChain, ProviderDirectory } from "../services/akash/akash-service.js";
import type { ChildGrants } from "../services/akash/child-grants.js";
import { CronosClient } from "../services/cronos/index.js";
import { type ChildRunInput, resurrectUnlessAlive, runChildBootstrap } from "../services/family/index.js";
import { retireChildAccount } from "../services/family/retire-child.js";
import { createAkashWallets } from "../services/keys/akash-wallets.js";
import { type ArweaveJwk, generateArweaveJwk } from "../services/keys/arweave-key.js";
import { childEvmKey, childIdentity, deriveChildMnemonic } from "../services/keys/child-mnemonic.js";
import type { AgentKeys, KeystoreBackend, Secret } from "../services/keys/index.js";
import type { AgentStore } from "../services/store/index.js";
import { inheritedChildSettings } from "./child-settings.js";
import { createRosterPublisher } from "./family-roster-publisher.js";
import type { NetworkConnection } from "./network-connection.js";

/** A provider's region attribute (Akash providers use either key). */
const REGION_KEYS = ["region", "location-region"];

export interface FamilySetupOptions {
  config: AgentConfig;
  /** The agent's keys now (a rotation replaces them). */
  keys: () => AgentKeys;
  keystore: KeystoreBackend;
  connection: Pick<NetworkConnection, "connectAccount">;
  directory: ProviderDirectory;
  parentChain: AkashChain;
  childGrants: ChildGrants;
  logger: Logger;
  /** The devnet's control URL the children's runs use (null off the devnet). */
  devnetUrl: string | null;
  /** The relays the children publish their heartbeats on: ours plus our own relay. */
  relays: () => string[];
  traffic: () => FamilyTraffic | null;
  /** The provider this agent's lease runs on now, if any. */
  ownProvider: () => string | null;
  /** The parent's Cronos leg, when the network has one: a retiring child's CRO is swept back to it. */
  cronos?: CronosTreasury;
  /** The parent's store (the sweep's intent and signed transaction are kept there). */
  store?: AgentStore;
}

function regionOf(attributes: Array<{ key: string; value: string }>): string | null {
  return attributes.find((attribute) => REGION_KEYS.includes(attribute.key))?.value ?? null;
}

/**
 * The family's operations for a real agent (DESIGN §13): children's identities derived from our
 * mnemonic, births and resurrections as the child's own bootstrap run in a subprocess (resumable on
 * its data dir under `<dataDir>/children/<childId>`), retirements through the child's account on its
 * fee allowance, and the market and traffic the triggers read.
 */
export function createFamilyOperations(o: FamilySetupOptions): FamilyOperations {
  const log = o.logger.child({ component: "family" });
  const parent = () => ({ akash: o.keys().identity.akash, npub: o.keys().identity.npub });
  const childMnemonic = (index: number) => deriveChildMnemonic(o.keys().mnemonic(), index);
  const childDir = (childId: string, ...more: string[]) =>
    join(o.config.dataDir, "children", childId, ...more);
  const parentConfig = {
    ...o.config,
    devnet: { ...o.config.devnet, ...(o.devnetUrl ? { url: o.devnetUrl } : {}) },
  };

  /** The child's Arweave wallet, made once and kept in our keystore; null where it cannot be kept. */
  async function childArweaveJwk(index: number): Promise<Secret<ArweaveJwk> | null> {
    const contents = await o.keystore.load();
    const known = contents.childArweaveJwks?.[String(index)];
    if (known) return known;
    if (!o.keystore.durable) {
      log.warn(
        { index },
        "this keystore cannot keep a child's Arweave wallet (AGENT_MNEMONIC): the child makes no backups and cannot be resurrected from one",
      );
      return null;
    }
    const jwk = await generateArweaveJwk();
    await o.keystore.save({
      ...contents,
      childArweaveJwks: { ...(contents.childArweaveJwks ?? {}), [String(index)]: jwk },
    });
    return jwk;
  }

  async function runInput(
    child: { index: number; childId: string; akash: string; npub: string },
    dataDir: string,
    avoidProviders: string[],
    signal: AbortSignal,
  ): Promise<ChildRunInput> {
    const jwk = await childArweaveJwk(child.index);
    return {
      parentConfig,
      cli: ownCliCommand(),
      parent: parent(),
      childMnemonic: childMnemonic(child.index),
      ...(jwk ? { childArweaveJwk: jwk } : {}),
      child,
      dataDir,
      avoidProviders,
      relays: o.relays(),
      settings: inheritedChildSettings(o.config, o.keys().identity.agentId),
      signal,
      onProgress: (line) => log.debug({ childId: child.childId, line }, "child run"),
    };
  }

  async function market(): Promise<MarketProvider[]> {
    if (!o.directory.allProviders) return [];
    const listed = await o.directory.allProviders();
    return listed
      .filter((provider) => provider.isOnline)
      .map((provider) => ({ address: provider.owner, region: regionOf(provider.attributes) }));
  }
  let ownRegion: { provider: string; region: string | null } | null = null;

  return {
    childIdentity: (index) => {
      const identity = childIdentity(o.keys().mnemonic(), index);
      return {
        index: identity.index,
        childId: identity.childId,
        akash: identity.akash,
        npub: identity.npub,
        cronos: identity.cronos,
      };
    },

    async deploy({ child, avoidProviders, signal }) {
      const started = Date.now();
      const location = await runChildBootstrap(
        await runInput(child, childDir(child.childId), avoidProviders, signal),
      );
      log.info(
        {
          childId: child.childId,
          dseq: location.dseq,
          provider: location.provider,
          ms: Date.now() - started,
        },
        "child born: it leads itself in its own lease",
      );
      return location;
    },

    async resurrect({ key, child, avoidProviders, signal }) {
      // One data dir per resurrection (its number is the key's last part): a retry resumes it.
      const attempt = key.split(":").at(-1) ?? "1";
      const dataDir = childDir(child.childId, `resurrection-${attempt}`);
      const lastKnown = child.dseq && child.provider ? { dseq: child.dseq, provider: child.provider } : null;
      return resurrectUnlessAlive({ ...(await runInput(child, dataDir, avoidProviders, signal)), lastKnown });
    },

    async retire({ key, child, signal }) {
      const wallets = await createAkashWallets(childMnemonic(child.index), 0);
      const account = await o.connection.connectAccount(wallets, { fundedBy: parent().akash });
      const { cronos, store } = o;
      const childCronos =
        cronos && store
          ? new CronosClient(
              cronos.client.endpoints,
              childEvmKey(o.keys().mnemonic(), child.index).privateKey,
            )
          : null;
      try {
        await retireChildAccount({
          key,
          child,
          parentAkash: parent().akash,
          childChain: account.chain,
          parentChain: o.parentChain,
          childGrants: o.childGrants,
          logger: log,
          ...(cronos && store && childCronos
            ? {
                cro: {
                  parentCronos: cronos.client.address,
                  deps: {
                    client: childCronos,
                    store,
                    policy: cronos.policy,
                    logger: log,
                    now: Date.now,
                    signal,
                    ...(cronos.onStep ? { onStep: cronos.onStep } : {}),
                  },
                },
              }
            : {}),
        });
      } finally {
        childCronos?.close();
        await account.chain.close();
      }
    },

    publishRoster: createRosterPublisher({
      keys: o.keys,
      keystore: o.keystore,
      relays: o.relays,
      now: Date.now,
    }),

    traffic: o.traffic,

    marketProviders: async () => {
      try {
        return await market();
      } catch (error) {
        throw new EffectError("retryable", `the provider list could not be read: ${String(error)}`, {
          cause: error,
        });
      }
    },

    ownPlace: () => {
      const provider = o.ownProvider();
      if (provider === null) return { provider: null, region: null };
      if (ownRegion?.provider !== provider) {
        ownRegion = { provider, region: null };
        o.directory
          .providers([provider])
          .then((found) => {
            if (ownRegion?.provider === provider) {
              ownRegion = { provider, region: found[0] ? regionOf(found[0].attributes) : null };
            }
          })
          .catch(() => undefined);
      }
      return { provider, region: ownRegion.region };
    },
  };
}
