import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import type { BidInfo, LeaseKey, LeaseStatus } from "../../../src/services/akash/index.js";
import { startTestDevnet } from "../../support/devnet.js";
import { type AgentUnderTest, agentSdl, eventually, freshDseq, startAgent } from "./akash-test-kit.js";

const EPOCH_BLOCKS = 5;

/** The first block whose EndBlock settles a mint included at `height` (the next epoch boundary after it). */
const settlingHeight = (height: number) => (Math.floor(height / EPOCH_BLOCKS) + 1) * EPOCH_BLOCKS;

describe("akash service on the devnet: the lease lifecycle through the service's interfaces", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 3, bmeEpochBlocks: EPOCH_BLOCKS });
    agent = await startAgent(devnet, { uakt: 60_000_000n, uact: 8_000_000n });
  });

  /** The agent's balances read with no block committed in between, and that block's height. */
  async function balancesWithinOneBlock() {
    for (;;) {
      const height = Number(devnet.height());
      const balances = await agent.akash.chain.balances();
      if (Number(devnet.height()) === height) return { ...balances, height };
    }
  }

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("deploys the domain's SDL, leases the cheapest bid, sends the manifest, tops up, closes and gets the refund", async () => {
    const { chain, gateway } = agent.akash;
    const sdl = await agentSdl(agent.address, devnet.chainId);
    const dseq = await freshDseq(agent);
    const before = await chain.balances();

    // One tx: mint ACT for later (settles at the next BME epoch) and create the deployment from ACT on hand.
    const created = await chain.submit({
      key: `deploy-${dseq}`,
      messages: [
        { type: "mintAct", amountUakt: "4000000" },
        {
          type: "createDeployment",
          dseq,
          sdlYaml: sdl.yaml,
          manifestVersion: sdl.manifestVersion,
          depositUact: "5000000",
        },
      ],
    });
    expect(created.alreadyDone).toBe(false);
    const deployment = await chain.deployment(dseq);
    expect(deployment).toMatchObject({
      owner: agent.address,
      dseq,
      state: "active",
      manifestVersion: sdl.manifestVersion,
    });
    expect(deployment!.escrow!.depositedUact).toBe("5000000");
    expect((await chain.activeDeployments()).map((d) => d.dseq)).toContain(dseq);
    // The mint settles at the next epoch boundary, which may fall before the balance is read: read it
    // within one block and count the mint in when that block is past the boundary.
    if (created.alreadyDone) throw new Error("unreachable");
    const afterCreate = await balancesWithinOneBlock();
    const minted = afterCreate.height >= settlingHeight(created.height) ? 5_000_000n : 0n;
    expect(BigInt(afterCreate.uact)).toBe(BigInt(before.uact) - 5_000_000n + minted);
    // 4 AKT burnt plus the fee, in the same transaction.
    expect(BigInt(before.uakt) - BigInt(afterCreate.uakt)).toBeGreaterThan(4_000_000n);
    // 4 AKT at the oracle's 1.25 USD become 5 ACT once the epoch settles.
    expect(await chain.aktPriceUsd()).toBe(1.25);
    await eventually(
      async () => ((await chain.balances()).uact === "8000000" ? true : undefined),
      "minted ACT to settle",
    );

    const bids = await eventually<BidInfo[]>(async () => {
      const open = (await chain.bids(dseq)).filter((b) => b.state === "open");
      return open.length > 0 ? open : undefined;
    }, "bids");
    const bid = [...bids].sort((a, b) => Number(a.priceUact) - Number(b.priceUact))[0]!;
    const leaseKey: LeaseKey = { dseq, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider };
    expect((await chain.createLease({ key: `lease-${dseq}`, bid: leaseKey })).alreadyDone).toBe(false);
    const lease = await chain.lease(leaseKey);
    expect(lease).toMatchObject({
      ...leaseKey,
      state: "active",
      priceUact: bid.priceUact,
      closedAtHeight: null,
    });
    expect((await chain.leases(dseq)).map((l) => l.state)).toEqual(["active"]);

    const provider = await chain.provider(bid.provider);
    expect(provider?.hostUri).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await gateway.sendManifest({
      lease: leaseKey,
      hostUri: provider!.hostUri,
      manifestJson: sdl.manifestJson,
    });
    const status = await eventually<LeaseStatus>(async () => {
      const s = await gateway.leaseStatus({ lease: leaseKey, hostUri: provider!.hostUri });
      return s && s.services.length > 0 && s.services.every((x) => x.ready === x.total) ? s : undefined;
    }, "services ready");
    expect(status.services.map((s) => s.name).sort()).toEqual(["agent-relay", "postgres", "redis"]);
    expect(status.services.find((s) => s.name === "agent-relay")!.uris.length).toBeGreaterThan(0);
    expect(
      await gateway.probe({ provider: bid.provider, hostUri: provider!.hostUri, timeoutMs: 2_000 }),
    ).toMatchObject({
      ok: true,
    });

    await chain.deposit({ key: `topup-${dseq}-1`, dseq, amountUact: "1000000" });
    expect((await chain.deployment(dseq))!.escrow!.depositedUact).toBe("6000000");

    expect((await chain.closeLease({ key: `close-lease-${dseq}`, lease: leaseKey })).alreadyDone).toBe(false);
    const closedLease = await chain.lease(leaseKey);
    expect(closedLease?.state).toBe("closed");
    expect(closedLease?.closedAtHeight).toBeGreaterThan(0);

    const beforeClose = await chain.balances();
    const closing = await chain.closeDeployment({ key: `close-${dseq}`, dseq });
    expect(closing.alreadyDone).toBe(false);
    const closed = await chain.deployment(dseq);
    expect(closed?.state).toBe("closed");
    expect((await chain.activeDeployments()).map((d) => d.dseq)).not.toContain(dseq);
    // The escrow's remainder (6 ACT less what the lease was paid) comes back.
    const refund = BigInt((await chain.balances()).uact) - BigInt(beforeClose.uact);
    expect(refund).toBeGreaterThan(5_000_000n);
    expect(refund).toBeLessThan(6_000_000n);
    // The close says how much came back, read from its tx's transfer events: the balance difference.
    expect(closing.refundedUact).toBe(refund.toString());
    // Called again with its key (a re-run after a crash), it reads the same tx and the same refund.
    expect(await chain.closeDeployment({ key: `close-${dseq}`, dseq })).toEqual({
      alreadyDone: true,
      txHash: closing.txHash,
      refundedUact: refund.toString(),
    });
  });
});
