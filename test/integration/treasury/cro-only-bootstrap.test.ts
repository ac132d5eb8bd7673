import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet } from "../../support/devnet.js";

describe("treasury: an agent with CRO only reaches an active lease by itself", () => {
  let devnet: DevnetHandle;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    devnet = await startTestDevnet({ blockTimeMs: 100, cronos: { bridgeDelayBlocks: 2 } });
  });

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("swaps CRO for AKT, bridges it to its empty Akash account, pays its first fees with it and deploys", async () => {
    agent = await startTestAgent(devnet, { fund: "cro-only" });
    const active = await agent.until("active");
    expect(active.dseq).not.toBeNull();

    // Every uakt the account ever had came over the bridge: no faucet transfer to the Akash address.
    const transfers = devnet.cronosControl!.transfers().filter((t) => t.recipient === agent!.address);
    expect(transfers.map((t) => t.outcome)).toEqual(["credited"]);
    const swap = agent.store.spending.get(`${agent.address}:bootstrap:swap`);
    expect(swap?.denom).toBe("wei");
    expect(agent.store.intents.get(`${agent.address}:bootstrap:bridge`)?.state).toBe("done");

    // The account exists now, funded with the bridged AKT only, and has paid fees and minted ACT from it.
    const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
    const uakt = BigInt(
      (await sdk.cosmos.bank.v1beta1.getBalance({ address: agent.address, denom: "uakt" })).balance?.amount ??
        "0",
    );
    expect(uakt).toBeLessThan(BigInt(transfers[0]!.amount));
    expect(uakt).toBeGreaterThan(0n);
  });
});
