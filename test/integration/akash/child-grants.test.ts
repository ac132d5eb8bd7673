import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import { Source } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { createTreasuryActors } from "../../../src/actors/treasury-actors.js";
import { loadConfig } from "../../../src/config/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { EffectError } from "../../../src/domain/index.js";
import { createLogger } from "../../../src/logging/index.js";
import { actorSettingsFromConfig, feeReserveUakt } from "../../../src/runtime/agent-settings.js";
import {
  type ChildGrants,
  connectAkash,
  endpointsFromDevnet,
  openChildGrantsReader,
  type TxResult,
} from "../../../src/services/akash/index.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import {
  type AgentUnderTest,
  agentSdl,
  type ChildUnderTest,
  FAST,
  freshDseq,
  startAgent,
  startChild,
} from "./akash-test-kit.js";

const DAY_MS = 86_400_000;

/** Runs `call`, expecting the chain to refuse it; answers the EffectError. */
async function refusal(call: () => Promise<unknown>): Promise<EffectError> {
  const error = await call().then(
    () => new Error("expected the chain to refuse"),
    (e: unknown) => e,
  );
  if (!(error instanceof EffectError)) throw error;
  return error;
}

describe("a parent's grants fund a child on chain: deposits from the DepositAuthorization, fees from the feegrant", () => {
  let devnet: DevnetHandle;
  let parent: AgentUnderTest;
  let sdk: ReturnType<typeof createChainNodeSDK>;
  let rpc: StargateClient;
  const children: ChildUnderTest[] = [];
  const timings: Record<string, number> = {};
  const chainErrors: Record<string, string> = {};

  const bank = async (address: string) => parent.akash.chain.balances(address);
  const child = async () => {
    const started = await startChild(devnet, parent.address);
    children.push(started);
    return started;
  };
  const inThirtyDays = () => Date.now() + 30 * DAY_MS;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
    parent = await startAgent(devnet, { uakt: 100_000_000n, uact: 20_000_000n });
    sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
    rpc = await StargateClient.connect(devnet.rpc);
  });

  afterAll(async () => {
    rpc?.disconnect();
    for (const c of children) await c.close();
    await parent?.close();
    await devnet?.stop();
    console.log("child-grants timings (ms):", JSON.stringify(timings));
    console.log("child-grants chain error texts:", JSON.stringify(chainErrors, null, 2));
  });

  it("draws the child's deployment deposit and top-ups from the grant, pays its fees by the allowance, and refuses a top-up past the limit", async () => {
    const kid = await child();
    expect(kid.akash.chain.fundedBy).toBe(parent.address);
    const expiresAt = inThirtyDays();

    let started = performance.now();
    const granted = await parent.akash.childGrants.grantChildBudget({
      key: "grant-kid-1",
      child: kid.address,
      limitUact: "2000000",
      feeLimitUakt: "3000000",
      expiresAt,
    });
    timings.grantTx = Math.round(performance.now() - started);
    expect(granted.alreadyDone).toBe(false);
    expect(await parent.akash.childGrants.childGrants(kid.address)).toEqual({
      deposit: { remainingUact: "2000000", expiresAt: Math.floor(expiresAt / 1000) * 1000 },
      fee: { remainingUakt: "3000000", expiresAt: Math.floor(expiresAt / 1000) * 1000 },
    });
    // What the child may spend: the grant (the parent holds more uact) and its fee allowance.
    expect(await kid.akash.chain.balances()).toEqual({ uakt: "3000000", uact: "2000000" });

    const parentBefore = await bank(parent.address);
    const kidBefore = await bank(kid.address);
    const sdl = await agentSdl(kid.address, devnet.chainId);
    const dseq = await freshDseq(parent);
    started = performance.now();
    await kid.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "600000",
    });
    timings.childDeploymentTx = Math.round(performance.now() - started);

    const onChain = await sdk.akash.deployment.v1beta4.getDeployment({ id: { owner: kid.address, dseq } });
    expect(onChain.deployment?.id?.owner).toBe(kid.address);
    expect(onChain.escrowAccount!.state!.deposits.map((d) => [d.owner, d.source, d.balance!.amount])).toEqual(
      [[parent.address, Source.grant, "600000"]],
    );

    const parentAfter = await bank(parent.address);
    const kidAfter = await bank(kid.address);
    expect(BigInt(parentAfter.uact)).toBe(BigInt(parentBefore.uact) - 600_000n);
    expect(kidAfter).toEqual(kidBefore);
    const grants = await parent.akash.childGrants.childGrants(kid.address);
    expect(grants.deposit?.remainingUact).toBe("1400000");
    // The fee came out of the parent's uakt, through the allowance, and from nothing of the child's.
    const feePaid = BigInt(parentBefore.uakt) - BigInt(parentAfter.uakt);
    expect(feePaid).toBeGreaterThan(0n);
    expect(BigInt(grants.fee!.remainingUakt!)).toBe(3_000_000n - feePaid);

    await kid.akash.chain.deposit({ key: `top-up-${dseq}`, dseq, amountUact: "400000" });
    expect((await parent.akash.childGrants.childGrants(kid.address)).deposit?.remainingUact).toBe("1000000");
    expect(await bank(kid.address)).toEqual(kidBefore);

    const pastLimit = await refusal(() =>
      kid.akash.chain.deposit({ key: `past-limit-${dseq}`, dseq, amountUact: "1000001" }),
    );
    chainErrors.depositPastGrantLimit = pastLimit.message;
    expect(pastLimit.kind).toBe("insufficient_funds");
    expect(pastLimit.message).toContain("deposit invalid: insufficient balance");
    expect((await parent.akash.childGrants.childGrants(kid.address)).deposit?.remainingUact).toBe("1000000");

    const mint = await refusal(() => kid.akash.chain.mintAct({ key: "kid-mint", amountUakt: "1000000" }));
    expect(mint.kind).toBe("fatal");
    expect(mint.message).toMatch(/a child is funded by its parent's grant .* and cannot mint ACT/);
    expect(await bank(kid.address)).toEqual(kidBefore);
  });

  it("grants once per key, finds the grants on chain from a fresh store, and refreshes the fee allowance by revoke + grant in one tx", async () => {
    const kid = await child();
    const request = {
      key: "grant-kid-2",
      child: kid.address,
      limitUact: "1000000",
      feeLimitUakt: "2000000",
      expiresAt: inThirtyDays(),
    };
    const first = await parent.akash.childGrants.grantChildBudget(request);
    expect(first.alreadyDone).toBe(false);
    const afterFirst = await bank(parent.address);

    const again = await parent.akash.childGrants.grantChildBudget(request);
    expect(again).toEqual({ alreadyDone: true, txHash: first.txHash });
    expect(parent.store.intents.get("grant-kid-2")?.state).toBe("done");

    // A crash that lost the store's record: the grants on chain are found, nothing is sent.
    const fresh = await connectWithFreshStore(devnet, parent);
    const found = await fresh.akash.childGrants.grantChildBudget(request);
    expect(found).toEqual({ alreadyDone: true, txHash: null });
    await fresh.close();
    expect(await bank(parent.address)).toEqual(afterFirst);

    // A later budget (new key, later expiry) replaces both grants in one tx, the existing allowance
    // revoked first (granting over it fails on chain with "fee allowance already exists").
    const later = Date.now() + 60 * DAY_MS;
    const refreshed = await parent.akash.childGrants.grantChildBudget({
      ...request,
      key: "grant-kid-2-renewed",
      limitUact: "1500000",
      feeLimitUakt: "2500000",
      expiresAt: later,
    });
    expect(refreshed.alreadyDone).toBe(false);
    expect(await parent.akash.childGrants.childGrants(kid.address)).toEqual({
      deposit: { remainingUact: "1500000", expiresAt: Math.floor(later / 1000) * 1000 },
      fee: { remainingUakt: "2500000", expiresAt: Math.floor(later / 1000) * 1000 },
    });
  });

  it("sends a grant that a crash interrupted once: the restarted parent finds its tx and sends no second one", async () => {
    const kid = await child();
    let crashed = false;
    const crashing = await startAgent(
      devnet,
      { uakt: 50_000_000n },
      {
        ...FAST,
        onTxStep: (step, info) => {
          if (!crashed && step === "broadcast" && info.key === "grant-after-crash") {
            crashed = true;
            throw new Error("simulated crash after the broadcast");
          }
        },
      },
    );
    const request = {
      key: "grant-after-crash",
      child: kid.address,
      limitUact: "1000000",
      feeLimitUakt: "1000000",
      expiresAt: inThirtyDays(),
    };
    await expect(crashing.akash.childGrants.grantChildBudget(request)).rejects.toThrow(/simulated crash/);
    const recorded = crashing.store.intents.get("grant-after-crash");
    expect(recorded?.state).not.toBe("done");
    expect(recorded?.txHash).toMatch(/^[0-9A-F]{64}$/);

    await crashing.restart(FAST);
    const resumed = await crashing.akash.childGrants.grantChildBudget(request);
    expect(resumed.txHash).toBe(recorded?.txHash);
    expect(crashing.store.intents.get("grant-after-crash")?.state).toBe("done");
    const grantTxs = await rpc.searchTx(
      `message.action='/cosmos.authz.v1beta1.MsgGrant' AND message.sender='${crashing.address}'`,
    );
    expect(grantTxs.map((tx) => tx.hash)).toEqual([recorded?.txHash]);
    // Anyone can read the grants without the parent's key (what `akash-agent family` shows).
    const reader = openChildGrantsReader(endpointsFromDevnet(devnet), crashing.address);
    expect(await reader.childGrants(kid.address)).toEqual(
      await crashing.akash.childGrants.childGrants(kid.address),
    );
    expect((await reader.childGrants(kid.address)).deposit?.remainingUact).toBe("1000000");
    await crashing.close();
  });

  it("lets a child spend no more than its parent holds, and nothing once the grants expire", async () => {
    const poor = await startAgent(devnet, { uakt: 50_000_000n, uact: 700_000n });
    const kid = await startChild(devnet, poor.address);
    children.push(kid);
    const expiresAt = Date.now() + 5_000;
    await poor.akash.childGrants.grantChildBudget({
      key: "grant-poor",
      child: kid.address,
      limitUact: "5000000",
      feeLimitUakt: "1000000",
      expiresAt,
    });
    expect(await kid.akash.chain.balances()).toEqual({ uakt: "1000000", uact: "700000" });
    const sdl = await agentSdl(kid.address, devnet.chainId);
    const dseq = await freshDseq(poor);
    await kid.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "600000",
    });
    expect((await kid.akash.chain.balances()).uact).toBe("100000");
    const short = await refusal(() =>
      kid.akash.chain.deposit({ key: `short-${dseq}`, dseq, amountUact: "200000" }),
    );
    chainErrors.parentBalanceShort = short.message;
    expect(short.kind).toBe("insufficient_funds");
    expect(short.message).toMatch(
      /spendable balance 100000uact is smaller than 200000uact: insufficient funds/,
    );

    const blockTime = async () =>
      (await sdk.cosmos.base.tendermint.v1beta1.getLatestBlock()).block!.header!.time!.getTime();
    await waitFor(
      async () => ((await blockTime()) > expiresAt ? true : undefined),
      20_000,
      "the grants' expiry",
    );
    expect(await poor.akash.childGrants.childGrants(kid.address)).toEqual({ deposit: null, fee: null });
    expect(await kid.akash.chain.balances()).toEqual({ uakt: "0", uact: "0" });
    const expired = await refusal(() =>
      kid.akash.chain.deposit({ key: `expired-${dseq}`, dseq, amountUact: "1000" }),
    );
    chainErrors.depositAfterExpiry = expired.message;
    expect(expired.message).toContain("deposit invalid: insufficient balance");
    await poor.close();
  });

  it("revokes both grants: the child's next deposit and its fees are refused, and a second revoke sends nothing", async () => {
    const kid = await child();
    await parent.akash.childGrants.grantChildBudget({
      key: "grant-kid-3",
      child: kid.address,
      limitUact: "3000000",
      feeLimitUakt: "3000000",
      expiresAt: inThirtyDays(),
    });
    const sdl = await agentSdl(kid.address, devnet.chainId);
    const dseq = await freshDseq(parent);
    await kid.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "600000",
    });

    const revoked: TxResult = await parent.akash.childGrants.revokeChildGrants({
      key: "revoke-kid-3",
      child: kid.address,
    });
    expect(revoked.alreadyDone).toBe(false);
    expect(await parent.akash.childGrants.childGrants(kid.address)).toEqual({ deposit: null, fee: null });
    expect(await kid.akash.chain.balances()).toEqual({ uakt: "0", uact: "0" });

    const deposit = await refusal(() =>
      kid.akash.chain.deposit({ key: `after-revoke-${dseq}`, dseq, amountUact: "100000" }),
    );
    chainErrors.depositAfterRevoke = deposit.message;
    expect(deposit.kind).toBe("insufficient_funds");
    expect(deposit.message).toContain("deposit invalid: insufficient balance");

    // Any tx of the child now fails in the ante handler: nobody pays its fee.
    const close = await refusal(() => kid.akash.chain.closeDeployment({ key: `close-${dseq}`, dseq }));
    chainErrors.feeAfterRevoke = close.message;
    expect(close.kind).toBe("insufficient_funds");
    expect(close.message).toMatch(/does not allow to pay fees for .*fee-grant not found/);
    expect((await kid.akash.chain.deployment(dseq))?.state).toBe("active");

    const before = await bank(parent.address);
    const again = await parent.akash.childGrants.revokeChildGrants({
      key: "revoke-kid-3-again",
      child: kid.address,
    });
    expect(again).toEqual({ alreadyDone: true, txHash: null });
    expect(await bank(parent.address)).toEqual(before);
  });

  it("funds a child through the treasury's fundChild: mints the ACT it lacks, grants the budget once, records the spend", async () => {
    const funder = await startAgent(devnet, { uakt: 200_000_000n });
    const kid = await startChild(devnet, funder.address);
    children.push(kid);
    const config = loadConfig({ env: {} });
    const servicesOf = (agent: { chain: AgentServices["chain"]; store: AgentStore; grants: ChildGrants }) =>
      ({
        chain: agent.chain,
        store: agent.store,
        childGrants: agent.grants,
        settings: {
          ...actorSettingsFromConfig(config, { blockSeconds: 0.1, pollIntervalMs: 50 }),
          mintSettleTimeoutMs: 20_000,
        },
        logger: createLogger({ level: "silent", json: true }),
        now: Date.now,
      }) as unknown as AgentServices;
    const { fundChild } = createTreasuryActors(
      servicesOf({ chain: funder.akash.chain, store: funder.store, grants: funder.akash.childGrants }),
      { feeReserveUakt: feeReserveUakt(config) },
    );
    const input = { key: "fund-kid-5", childAddress: kid.address, amountUact: "3000000" };
    expect((await funder.akash.chain.balances()).uact).toBe("0");

    const started = performance.now();
    await toPromise(createActor(fundChild, { input }).start());
    timings.fundChildWithMint = Math.round(performance.now() - started);

    expect(BigInt((await funder.akash.chain.balances()).uact)).toBeGreaterThanOrEqual(3_000_000n);
    const grants = await funder.akash.childGrants.childGrants(kid.address);
    expect(grants.deposit?.remainingUact).toBe("3000000");
    expect(grants.fee?.remainingUakt).toBe(config.reproduction.childFeeBudgetUakt);
    const expectedExpiry = Date.now() + config.reproduction.grantDays * DAY_MS;
    expect(Math.abs((grants.deposit?.expiresAt ?? 0) - expectedExpiry)).toBeLessThan(60_000);
    expect(funder.store.intents.get("fund-kid-5:act")?.state).toBe("done");
    expect(funder.store.intents.get("fund-kid-5:grant")?.state).toBe("done");
    const spent = (kind: "child_funding" | "mint_act", denom: string) =>
      funder.store.spending.totalBetween({ denom, from: 0, to: Date.now() + 1, kinds: [kind] });
    expect(spent("child_funding", "uact")).toBe(3_000_000n);
    expect(spent("mint_act", "uakt")).toBeGreaterThan(0n);

    // Run again (a restart re-invokes the actor with the same input): nothing more is sent or recorded.
    const before = await funder.akash.chain.balances();
    await toPromise(createActor(fundChild, { input }).start());
    expect(await funder.akash.chain.balances()).toEqual(before);
    expect(spent("child_funding", "uact")).toBe(3_000_000n);

    // The budget is usable: the child deploys on it.
    const sdl = await agentSdl(kid.address, devnet.chainId);
    const dseq = await freshDseq(funder);
    await kid.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "600000",
    });
    expect((await funder.akash.childGrants.childGrants(kid.address)).deposit?.remainingUact).toBe("2400000");

    // A child cannot fund children of its own from its parent's grant.
    const { fundChild: childFundChild } = createTreasuryActors(
      servicesOf({ chain: kid.akash.chain, store: kid.store, grants: kid.akash.childGrants }),
      { feeReserveUakt: feeReserveUakt(config) },
    );
    await expect(
      toPromise(
        createActor(childFundChild, {
          input: { key: "grandchild", childAddress: funder.address, amountUact: "1000000" },
        }).start(),
      ),
    ).rejects.toThrow(/a child cannot fund children/);
    await funder.close();
  });

  it("refuses a grant to the parent itself, an expiry in the past and amounts that are not whole numbers, naming the field", async () => {
    const grants = parent.akash.childGrants;
    const kid = (await child()).address;
    const base = {
      key: "bad",
      child: kid,
      limitUact: "1000",
      feeLimitUakt: "1000",
      expiresAt: inThirtyDays(),
    };
    await expect(grants.grantChildBudget({ ...base, child: parent.address })).rejects.toThrow(
      /parent's own address/,
    );
    await expect(grants.grantChildBudget({ ...base, expiresAt: Date.now() - 1000 })).rejects.toThrow(
      /expiresAt must be a time in the future/,
    );
    await expect(grants.grantChildBudget({ ...base, limitUact: "1.5" })).rejects.toThrow(/limitUact must be/);
    await expect(grants.grantChildBudget({ ...base, feeLimitUakt: "0" })).rejects.toThrow(
      /feeLimitUakt must be/,
    );
    await expect(grants.grantChildBudget({ ...base, child: "cosmos1abc" })).rejects.toThrow(/child must be/);
    expect(parent.store.intents.get("bad")).toBeUndefined();
  });
});

/** Another connection of the parent's account over a fresh, empty store (a store lost in a crash). */
async function connectWithFreshStore(devnet: DevnetHandle, agent: AgentUnderTest) {
  const dataDir = mkdtempSync(join(tmpdir(), "child-grants-parent-"));
  const store = openAgentStore({ dataDir });
  const akash = await connectAkash({
    endpoints: endpointsFromDevnet(devnet),
    wallets: agent.wallets,
    store,
    options: FAST,
  });
  return {
    akash,
    async close() {
      await akash.chain.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
