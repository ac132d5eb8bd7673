import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { createLeaseActors } from "../../../src/actors/lease-actors.js";
import { loadConfig } from "../../../src/config/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { DEFAULT_PROVIDER_PROFILES } from "../../../src/devnet/provider/provider-profile.js";
import { PERSISTENT_STORAGE_CLASS } from "../../../src/domain/service-profiles.js";
import { createLogger } from "../../../src/logging/index.js";
import { actorSettingsFromConfig } from "../../../src/runtime/agent-settings.js";
import { startTestDevnet } from "../../support/devnet.js";
import { type AgentUnderTest, agentSdl, freshDseq, startAgent } from "./akash-test-kit.js";

/**
 * The lease's bid collection on the devnet's chain, read block by block: with `bidding.settleBlocks`
 * the bids on chain that many blocks after the order are taken without waiting for `minBids` or the
 * window; the host URI read while collecting is what the lease uses after an included create-lease;
 * with `bidding.quietBlocks`, the count ends early once every provider that could bid has bid. On the
 * default devnet the agent's SDL asks for a persistent volume of class beta3, which provider-2 (beta1)
 * and provider-4 (beta1, beta2) do not offer: the chain would refuse their bids, so they never bid.
 */
describe("bids read at each block (bidding.settleBlocks, bidding.quietBlocks)", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;

  beforeAll(async () => {
    devnet = await startTestDevnet();
    agent = await startAgent(devnet, { uakt: 60_000_000n, uact: 20_000_000n });
  });

  /** The devnet providers the chain would accept a bid from on the agent's SDL (by profile). */
  const eligible = () =>
    devnet.providers
      .filter((_, index) =>
        DEFAULT_PROVIDER_PROFILES[index]!.storageClasses.includes(PERSISTENT_STORAGE_CLASS),
      )
      .map((provider) => provider.address);

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  /** The lease actors with the agent's settings from `env`. */
  const leaseActors = (env: Record<string, string>) =>
    createLeaseActors({
      chain: agent.akash.chain,
      gateway: agent.akash.gateway,
      directory: { providers: async () => [] },
      store: agent.store,
      settings: actorSettingsFromConfig(loadConfig({ env }), { blockSeconds: 1, pollIntervalMs: 1_000 }),
      logger: createLogger({ level: "silent", json: true }),
      now: () => Date.now(),
    } as unknown as AgentServices);

  /** A new deployment (its order opens with it); the order's height. */
  const deploy = async () => {
    const sdl = await agentSdl(agent.address, devnet.chainId);
    const dseq = await freshDseq(agent);
    await agent.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "5000000",
    });
    return { dseq, order: (await agent.akash.chain.deployment(dseq))!.createdAtHeight };
  };

  it("takes every bid on chain one block after the order, short of minBids; the lease gets the host URI read while collecting", async () => {
    const { chain } = agent.akash;
    const actors = leaseActors({ AGENT_BIDDING_SETTLE_BLOCKS: "1" });
    const { dseq, order } = await deploy();

    // More bids wanted than there are providers and a window longer than the test's timeout: only
    // the settle rule can end this collection.
    const collected = await toPromise(
      createActor(actors.collectBids, {
        input: { dseq, minBids: 5, windowMs: 3_600_000, excludedProviders: [] },
      }).start(),
    );
    expect(collected.bids).toHaveLength(eligible().length);
    const bidHeights = (await chain.bids(dseq)).map((bid) => bid.createdAtHeight);
    expect(Math.max(...bidHeights)).toBe(order + 1);

    const bid = collected.bids[0]!;
    const lease = { owner: agent.address, dseq, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider };
    await toPromise(
      createActor(actors.createLease, {
        input: { key: `lease-${dseq}`, bid: { ...lease, priceUact: bid.priceUact } },
      }).start(),
    );
    const confirmed = await toPromise(createActor(actors.confirmLease, { input: { lease } }).start());
    const provider = devnet.providers.find((entry) => entry.address === bid.provider)!;
    expect(confirmed.hostUri).toBe(provider.hostUri);
    expect((await chain.lease(lease))?.state).toBe("active");
  });

  const collect = async (dseq: string, quietBlocks: number) => {
    const actors = leaseActors({ AGENT_BIDDING_QUIET_BLOCKS: String(quietBlocks) });
    const collected = await toPromise(
      createActor(actors.collectBids, {
        input: { dseq, minBids: 1, windowMs: 3_600_000, excludedProviders: [] },
      }).start(),
    );
    const ended = await agent.akash.chain.height();
    const lastBid = Math.max(...(await agent.akash.chain.bids(dseq)).map((bid) => bid.createdAtHeight));
    await agent.akash.chain.closeDeployment({ key: `close-${dseq}`, dseq });
    return {
      bids: collected.bids.length,
      bidders: collected.bids.map((bid) => bid.provider),
      ended,
      lastBid,
    };
  };

  it("with minBids met, reads on until no new bid came for bidding.quietBlocks blocks", async () => {
    // One of the providers that could bid is offline: it does not, so only the quiet blocks end the collection.
    const offline = eligible()[1]!;
    await devnet.setProviderOnline(offline, false);
    try {
      const { dseq } = await deploy();
      const { bids, ended, lastBid } = await collect(dseq, 3);
      expect(bids).toBe(eligible().length - 1);
      expect(ended).toBeGreaterThanOrEqual(lastBid + 3);
    } finally {
      await devnet.setProviderOnline(offline, true);
    }
  });

  it("reads the group's bid requirements and every provider with its auditors' signatures", async () => {
    const { chain } = agent.akash;
    const { dseq } = await deploy();
    const [group] = await chain.groups(dseq);
    const volumes = group!.requirements.resources.flatMap((unit) => unit.storage);
    expect(volumes.map((volume) => volume.attributes)).toContainEqual(
      expect.arrayContaining([{ key: "class", value: PERSISTENT_STORAGE_CLASS }]),
    );
    const providers = await chain.registeredProviders();
    expect(providers.map((provider) => provider.owner).sort()).toEqual(
      devnet.providers.map((provider) => provider.address).sort(),
    );
    for (const info of devnet.providers) {
      const record = providers.find((provider) => provider.owner === info.address)!;
      expect(record.audits.map((audit) => audit.auditor)).toEqual(info.audited ? devnet.auditors : []);
    }
    await chain.closeDeployment({ key: `close-${dseq}`, dseq });
  });

  it("stops as soon as every provider that could bid has bid, the ones the chain would refuse not awaited", async () => {
    // Not every registered provider can bid on this order; with the quiet blocks at their maximum (100),
    // ending well before them shows the count of providers that could bid ended this collection.
    expect(eligible().length).toBeLessThan(devnet.providers.length);
    const { dseq } = await deploy();
    const { bidders, ended, lastBid } = await collect(dseq, 100);
    expect(bidders.sort()).toEqual(eligible().sort());
    expect(ended).toBeLessThan(lastBid + 100);
  });
});
