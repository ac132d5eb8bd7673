import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import type { BidInfo, TxStep, TxStepHook } from "../../../src/services/akash/index.js";
import { startTestDevnet } from "../../support/devnet.js";
import { type AgentUnderTest, agentSdl, eventually, FAST, freshDseq, startAgent } from "./akash-test-kit.js";

const START_GROUP = "/akash.deployment.v1beta4.MsgStartGroup";

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

/**
 * Regression (fault matrix `provider-closes-lease`): a provider's MsgCloseBid pauses the deployment's
 * group, as on Akash, so no new order opens; the owner starts it again with MsgStartGroup.
 */
describe("akash service on the devnet: a group its provider paused, started again once", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;
  let rpc: StargateClient;

  const starts = async () =>
    (await rpc.searchTx(`message.action='${START_GROUP}' AND message.sender='${agent.address}'`)).filter(
      (tx) => tx.code === 0,
    ).length;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 2 });
    agent = await startAgent(devnet, { uakt: 100_000_000n, uact: 100_000_000n });
    rpc = await StargateClient.connect(devnet.rpc);
  });

  afterAll(async () => {
    rpc?.disconnect();
    await agent?.close();
    await devnet?.stop();
  });

  it("reads the paused group, starts it across a crash after the broadcast, and bids come on the next order", async () => {
    const sdl = await agentSdl(agent.address, devnet.chainId);
    const dseq = await freshDseq(agent);
    await agent.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "1000000",
    });
    const bid = await eventually<BidInfo>(
      async () => (await agent.akash.chain.bids(dseq)).find((b) => b.state === "open"),
      "a bid",
    );
    const lease = { dseq, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider };
    await agent.akash.chain.createLease({ key: `lease-${dseq}`, bid: lease });
    expect(await agent.akash.chain.groups(dseq)).toEqual([
      expect.objectContaining({ dseq, gseq: 1, state: "open" }),
    ]);

    await devnet.closeLease({ owner: agent.address, ...lease });
    expect(await agent.akash.chain.groups(dseq)).toEqual([
      expect.objectContaining({ dseq, gseq: 1, state: "paused" }),
    ]);

    const key = `start-group-${dseq}-1-${lease.oseq}`;
    await agent.restart({ ...FAST, onTxStep: crashAt("broadcast", key) });
    await expect(agent.akash.chain.startGroup({ key, dseq, gseq: 1 })).rejects.toThrow(SimulatedCrash);
    expect(agent.store.intents.get(key)?.state).toBe("pending");

    await agent.restart();
    const started = await agent.akash.chain.startGroup({ key, dseq, gseq: 1 });
    expect(started.txHash).toBe(agent.store.intents.get(key)?.txHash);
    expect(await agent.akash.chain.groups(dseq)).toEqual([
      expect.objectContaining({ dseq, gseq: 1, state: "open" }),
    ]);
    expect(await starts()).toBe(1);

    // An open group needs no start: another key sends nothing.
    expect(await agent.akash.chain.startGroup({ key: `${key}-again`, dseq, gseq: 1 })).toEqual({
      alreadyDone: true,
      txHash: null,
    });
    expect(await starts()).toBe(1);

    const next = await eventually<BidInfo>(
      async () => (await agent.akash.chain.bids(dseq)).find((b) => b.state === "open" && b.oseq === 2),
      "a bid on the next order",
    );
    expect(next.gseq).toBe(1);
  });

  it("refuses to start the group of a closed deployment, naming the fix", async () => {
    const sdl = await agentSdl(agent.address, devnet.chainId);
    const dseq = await freshDseq(agent);
    await agent.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "1000000",
    });
    await agent.akash.chain.closeDeployment({ key: `close-${dseq}`, dseq });
    await expect(agent.akash.chain.startGroup({ key: `start-${dseq}`, dseq, gseq: 1 })).rejects.toThrow(
      /group .*\/1 is closed: it cannot be started again; deploy anew/,
    );
  });
});
