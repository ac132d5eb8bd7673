import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import { Source } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../../src/services/keys/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";
import { type AgentUnderTest, startAgent } from "../akash/akash-test-kit.js";

const PARENT_NPUB = "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6";

/**
 * A child agent (the real agent: actors, services, store) whose config names a parent: it never holds
 * a coin of its own, and still deploys itself to active and tops up its escrow, every deposit drawn
 * on its parent's DepositAuthorization and every fee paid by its parent's fee allowance.
 */
describe("a child agent lives on its parent's grants", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let parent: AgentUnderTest;
  let sdk: ReturnType<typeof createChainNodeSDK>;
  let child: TestAgent | undefined;

  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
    parent = await startAgent(devnet, { uakt: 100_000_000n, uact: 50_000_000n });
    sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
  });

  afterAll(async () => {
    await child?.close();
    await parent?.close();
    await devnet?.stop();
  });

  it("deploys to active and tops up its escrow with deposits from the grant and fees from the allowance", async () => {
    const started = performance.now();
    child = await startTestAgent(devnet, {
      settings: {
        "reproduction.parent.akash": parent.address,
        "reproduction.parent.npub": PARENT_NPUB,
        "escrow.topUpBelowHours": 1,
        "escrow.topUpToHours": 2,
      },
      // The agent starts only once the grants exist: they are given first, to its address.
      mnemonic: await grantFirst(),
    });
    const active = await child.until("active");
    const toActiveMs = Math.round(performance.now() - started);
    const topped = await child.until("active.monitoring", (view) => (view.escrowRunwayHours ?? 0) >= 1.5);
    expect(topped.dseq).toBe(active.dseq);

    const own = await parent.akash.chain.balances(child.address);
    expect(own).toEqual({ uakt: "0", uact: "0" });
    const { escrowAccount } = await sdk.akash.deployment.v1beta4.getDeployment({
      id: { owner: child.address, dseq: active.dseq! },
    });
    const deposits = escrowAccount!.state!.deposits;
    expect(deposits.length).toBeGreaterThanOrEqual(2);
    for (const deposit of deposits) {
      expect([deposit.owner, deposit.source]).toEqual([parent.address, Source.grant]);
    }
    const grants = await parent.akash.childGrants.childGrants(child.address);
    expect(BigInt(grants.deposit!.remainingUact)).toBeLessThan(20_000_000n);
    expect(BigInt(grants.fee!.remainingUakt!)).toBeLessThan(5_000_000n);
    // The treasury recorded its top-up like any agent's.
    const topUps = child.store.spending
      .dailyTotals({ from: 0, to: Date.now() + 1 })
      .filter((row) => row.kind === "escrow_deposit");
    expect(topUps).toEqual([expect.objectContaining({ count: 1 })]);
    console.log(`child agent: start to active lease on grants in ${toActiveMs} ms`);

    child.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true });
    await waitFor(
      async () => {
        const answer = await sdk.akash.deployment.v1beta4.getDeployment({
          id: { owner: child!.address, dseq: active.dseq! },
        });
        return answer.deployment?.state === 2 ? true : undefined;
      },
      20_000,
      "the child's deployment closed",
    );
    // The escrow's remainder went back to the parent and into the grant's budget again.
    const after = await parent.akash.childGrants.childGrants(child.address);
    expect(BigInt(after.deposit!.remainingUact)).toBeGreaterThan(BigInt(grants.deposit!.remainingUact));
    expect(await parent.akash.chain.balances(child.address)).toEqual({ uakt: "0", uact: "0" });
  });

  /** A fresh child mnemonic whose address the parent has granted 20 ACT of deposits and 5 AKT of fees. */
  async function grantFirst(): Promise<string> {
    const mnemonic = generateMnemonic().reveal();
    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    await parent.akash.childGrants.grantChildBudget({
      key: "grant-child-agent",
      child: keys.identity.akash,
      limitUact: "20000000",
      feeLimitUakt: "5000000",
      expiresAt: Date.now() + 30 * 86_400_000,
    });
    return mnemonic;
  }
});
