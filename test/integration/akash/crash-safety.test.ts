import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { EffectError } from "../../../src/domain/index.js";
import {
  type BidInfo,
  connectAkash,
  endpointsFromDevnet,
  type LeaseKey,
  type TxResult,
  type TxStep,
  type TxStepHook,
} from "../../../src/services/akash/index.js";
import { startTestDevnet } from "../../support/devnet.js";
import { type AgentUnderTest, agentSdl, eventually, FAST, freshDseq, startAgent } from "./akash-test-kit.js";

const DEPOSIT = "/akash.escrow.v1.MsgAccountDeposit";
const CREATE_DEPLOYMENT = "/akash.deployment.v1beta4.MsgCreateDeployment";
const CREATE_LEASE = "/akash.market.v1beta5.MsgCreateLease";

class SimulatedCrash extends Error {}

/** A hook that "kills the process" (throws) the first time `key` reaches `step`. */
function crashAt(step: TxStep, key: string): TxStepHook {
  let crashed = false;
  return (reached, info) => {
    if (!crashed && reached === step && info.key === key) {
      crashed = true;
      throw new SimulatedCrash(`crash at ${step} of ${key}`);
    }
  };
}

describe("akash service on the devnet: one effect per idempotency key, across crashes and restarts", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;
  let rpc: StargateClient;
  let dseq: string;

  /** Successful txs of this agent that carry `action`. */
  const count = async (action: string) =>
    (await rpc.searchTx(`message.action='${action}' AND message.sender='${agent.address}'`)).filter(
      (tx) => tx.code === 0,
    ).length;
  const deposited = async () => BigInt((await agent.akash.chain.deployment(dseq))!.escrow!.depositedUact);

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 2 });
    agent = await startAgent(devnet, { uakt: 100_000_000n, uact: 100_000_000n });
    rpc = await StargateClient.connect(devnet.rpc);
    const sdl = await agentSdl(agent.address, devnet.chainId);
    dseq = await freshDseq(agent);
    await agent.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "5000000",
    });
  });

  afterAll(async () => {
    rpc?.disconnect();
    await agent?.close();
    await devnet?.stop();
  });

  it("does a deployment, a lease and a deposit once each when called twice with the same key", async () => {
    const { chain } = agent.akash;
    const sdl = await agentSdl(agent.address, devnet.chainId);
    const second = await freshDseq(agent);
    const request = {
      key: `deploy-${second}`,
      dseq: second,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "1000000",
    };
    const first = await chain.createDeployment(request);
    expect(first.alreadyDone).toBe(false);
    expect(await chain.createDeployment(request)).toEqual({ alreadyDone: true, txHash: first.txHash });
    expect(await count(CREATE_DEPLOYMENT)).toBe(2); // this one and the one from beforeAll

    const bid = await eventually<BidInfo>(
      async () => (await chain.bids(second)).find((b) => b.state === "open"),
      "a bid",
    );
    const lease: LeaseKey = { dseq: second, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider };
    const leased = await chain.createLease({ key: `lease-${second}`, bid: lease });
    expect(await chain.createLease({ key: `lease-${second}`, bid: lease })).toEqual({
      alreadyDone: true,
      txHash: leased.txHash,
    });
    expect(await chain.leases(second)).toHaveLength(1);
    expect(await count(CREATE_LEASE)).toBe(1);

    const before = await deposited();
    const deposits = await count(DEPOSIT);
    const topUp = { key: `topup-${dseq}-twice`, dseq, amountUact: "700000" };
    const once = await chain.deposit(topUp);
    expect(await chain.deposit(topUp)).toEqual({ alreadyDone: true, txHash: once.txHash });
    expect(await deposited()).toBe(before + 700_000n);
    expect(await count(DEPOSIT)).toBe(deposits + 1);
  });

  it("finds a deployment on chain when the store forgot the intent (a lost data dir)", async () => {
    const sdl = await agentSdl(agent.address, devnet.chainId);
    const third = await freshDseq(agent);
    const request = {
      key: `deploy-${third}`,
      dseq: third,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "1000000",
    };
    await agent.akash.chain.createDeployment(request);
    agent.store.db.prepare("DELETE FROM intents WHERE key = ?").run(request.key);
    const creates = await count(CREATE_DEPLOYMENT);
    expect(await agent.akash.chain.createDeployment(request)).toEqual({ alreadyDone: true, txHash: null });
    expect(await count(CREATE_DEPLOYMENT)).toBe(creates);
    expect(agent.store.intents.get(request.key)?.state).toBe("done");
  });

  it("a crash after the signed bytes are recorded and before the broadcast: the restart sends those bytes", async () => {
    const key = `topup-${dseq}-crash-signed`;
    const before = await deposited();
    const deposits = await count(DEPOSIT);
    await agent.restart({ ...FAST, onTxStep: crashAt("signed", key) });
    await expect(agent.akash.chain.deposit({ key, dseq, amountUact: "300000" })).rejects.toThrow(
      SimulatedCrash,
    );
    const recorded = agent.store.intents.get(key)!;
    expect(recorded.state).toBe("pending");
    expect(recorded.txHash).toMatch(/^[0-9A-F]{64}$/);
    expect(recorded.txBytes?.length).toBeGreaterThan(0);
    expect(await rpc.getTx(recorded.txHash!)).toBeNull();

    // Another gas multiplier after the restart: signing afresh would give other bytes (another fee).
    await agent.restart({ ...FAST, gasMultiplier: 1.6 });
    const result = await agent.akash.chain.deposit({ key, dseq, amountUact: "300000" });
    expect(result).toMatchObject({ alreadyDone: false, txHash: recorded.txHash });
    expect(await deposited()).toBe(before + 300_000n);
    expect(await count(DEPOSIT)).toBe(deposits + 1);
  });

  it("a crash after the broadcast and before inclusion: the restart follows the same tx to its block", async () => {
    const key = `topup-${dseq}-crash-broadcast`;
    const before = await deposited();
    const deposits = await count(DEPOSIT);
    await agent.restart({ ...FAST, onTxStep: crashAt("broadcast", key) });
    await expect(agent.akash.chain.deposit({ key, dseq, amountUact: "400000" })).rejects.toThrow(
      SimulatedCrash,
    );
    const recorded = agent.store.intents.get(key)!;
    expect(recorded.state).toBe("pending");

    await agent.restart();
    const result = await agent.akash.chain.deposit({ key, dseq, amountUact: "400000" });
    expect(result.txHash).toBe(recorded.txHash);
    expect(await deposited()).toBe(before + 400_000n);
    expect(await count(DEPOSIT)).toBe(deposits + 1);
    expect(agent.store.intents.get(key)?.state).toBe("done");
  });

  it("a crash after inclusion and before the intent is marked done: the restart finds the tx by hash", async () => {
    const key = `topup-${dseq}-crash-included`;
    const before = await deposited();
    await agent.restart({ ...FAST, onTxStep: crashAt("included", key) });
    await expect(agent.akash.chain.deposit({ key, dseq, amountUact: "100000" })).rejects.toThrow(
      SimulatedCrash,
    );
    const recorded = agent.store.intents.get(key)!;
    expect(recorded.state).toBe("pending");
    expect(await deposited()).toBe(before + 100_000n);

    await agent.restart();
    expect(await agent.akash.chain.deposit({ key, dseq, amountUact: "100000" })).toEqual({
      alreadyDone: true,
      txHash: recorded.txHash,
    });
    expect(await deposited()).toBe(before + 100_000n);
  });

  it("a crash after the broadcast of a lease: the restart sees the lease on chain and makes no second one", async () => {
    const sdl = await agentSdl(agent.address, devnet.chainId);
    const fourth = await freshDseq(agent);
    await agent.akash.chain.createDeployment({
      key: `deploy-${fourth}`,
      dseq: fourth,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "1000000",
    });
    const bid = await eventually<BidInfo>(
      async () => (await agent.akash.chain.bids(fourth)).find((b) => b.state === "open"),
      "a bid",
    );
    const lease: LeaseKey = { dseq: fourth, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider };
    const key = `lease-${fourth}`;
    await agent.restart({ ...FAST, onTxStep: crashAt("broadcast", key) });
    await expect(agent.akash.chain.createLease({ key, bid: lease })).rejects.toThrow(SimulatedCrash);
    await devnet.waitForHeight(devnet.height() + 2n);

    await agent.restart();
    const result = await agent.akash.chain.createLease({ key, bid: lease });
    expect(result.alreadyDone).toBe(true);
    expect(await agent.akash.chain.leases(fourth)).toHaveLength(1);
  });

  it("a dead tx (its sequence taken by another tx, never included) is signed anew", async () => {
    const key = `topup-${dseq}-dead`;
    const before = await deposited();
    await agent.restart({ ...FAST, onTxStep: crashAt("signed", key) });
    await expect(agent.akash.chain.deposit({ key, dseq, amountUact: "200000" })).rejects.toThrow(
      SimulatedCrash,
    );
    const dead = agent.store.intents.get(key)!;

    // Another effect takes the sequence the recorded tx was signed for.
    await agent.akash.chain.deposit({ key: `topup-${dseq}-other`, dseq, amountUact: "50000" });
    await agent.restart();
    const result = await agent.akash.chain.deposit({ key, dseq, amountUact: "200000" });
    expect(result.alreadyDone).toBe(false);
    expect(result.txHash).not.toBe(dead.txHash);
    expect(await rpc.getTx(dead.txHash!)).toBeNull();
    expect(await deposited()).toBe(before + 250_000n);
    expect(agent.store.intents.get(key)).toMatchObject({ state: "done", txHash: result.txHash });
  });

  it("a tx that fails in its block reports the kind, and a retry with the same key signs a new one", async () => {
    const key = `topup-${dseq}-out-of-gas`;
    const before = await deposited();
    devnet.failNextTx({
      address: agent.address,
      stage: "deliverTx",
      code: 11,
      log: "out of gas in location: WriteFlat; gasWanted: 100, gasUsed: 200: out of gas",
    });
    const failure = await agent.akash.chain
      .deposit({ key, dseq, amountUact: "60000" })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(EffectError);
    expect((failure as EffectError).kind).toBe("retryable");
    const failed = agent.store.intents.get(key)!;
    expect(failed.state).toBe("failed");
    expect(failed.error).toContain(failed.txHash);
    expect(await deposited()).toBe(before);

    const retried = await agent.akash.chain.deposit({ key, dseq, amountUact: "60000" });
    expect(retried.alreadyDone).toBe(false);
    expect(retried.txHash).not.toBe(failed.txHash);
    expect(await deposited()).toBe(before + 60_000n);
  });

  it("a tx signed while another of the account's txs waits in the mempool waits for that one's block", async () => {
    const before = await deposited();
    const first = `topup-${dseq}-mempool-first`;
    const second = `topup-${dseq}-mempool-second`;
    let secondResult: TxResult | undefined;
    await agent.restart({
      ...FAST,
      onTxStep: async (step, info) => {
        if (step === "broadcast" && info.key === first) {
          secondResult = await other.chain.deposit({ key: second, dseq, amountUact: "20000" });
          throw new SimulatedCrash("crash after broadcast");
        }
      },
    });
    // A second process of the same account (a restart racing the old one) signs while `first` is pending.
    const other = await connectAkash({
      endpoints: endpointsFromDevnet(devnet),
      wallets: agent.wallets,
      store: agent.store,
      options: FAST,
    });
    await expect(agent.akash.chain.deposit({ key: first, dseq, amountUact: "10000" })).rejects.toThrow(
      SimulatedCrash,
    );
    expect(secondResult?.alreadyDone).toBe(false);
    await agent.restart();
    const firstResult = await agent.akash.chain.deposit({ key: first, dseq, amountUact: "10000" });
    expect(firstResult.txHash).toBe(agent.store.intents.get(first)?.txHash);
    expect(await deposited()).toBe(before + 30_000n);
    await other.chain.close();
  });

  it("a refusal for a sequence that no tx ever takes (its holder dropped from the mempool) signs again after two blocks", async () => {
    const key = `topup-${dseq}-dropped-holder`;
    const before = await deposited();
    await agent.restart();
    const sequence = (await rpc.getSequence(agent.address)).sequence;
    // CheckTx says a pending tx holds the sequence; none reaches a block. Waiting for the sequence to
    // move would outlast the inclusion timeout (20 s here) and give up the deposit.
    devnet.failNextTx({
      address: agent.address,
      stage: "checkTx",
      code: 32,
      log: `account sequence mismatch, expected ${sequence + 1}, got ${sequence}: incorrect account sequence`,
    });
    const result = await agent.akash.chain.deposit({ key, dseq, amountUact: "30000" });
    expect(result.alreadyDone).toBe(false);
    expect(await deposited()).toBe(before + 30_000n);
    const status = (await (await fetch(`${devnet.control}/status`)).json()) as { pendingTxFaults: number };
    expect(status.pendingTxFaults).toBe(0);
  });

  it("runs concurrent calls one after the other, so their sequences never collide", async () => {
    const before = await deposited();
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        agent.akash.chain.deposit({ key: `topup-${dseq}-parallel-${n}`, dseq, amountUact: "10000" }),
      ),
    );
    expect(new Set(results.map((r) => r.txHash)).size).toBe(3);
    expect(await deposited()).toBe(before + 30_000n);
  });
});
