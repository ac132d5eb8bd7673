import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

describe("treasury: the running agent swaps CRO for AKT when its AKT runs out, within the slippage cap", () => {
  let devnet: DevnetHandle;
  let agent: TestAgent | undefined;
  let provider: JsonRpcProvider;

  beforeAll(async () => {
    devnet = await startTestDevnet({ blockTimeMs: 100, cronos: { bridgeDelayBlocks: 2 } });
    provider = new JsonRpcProvider(devnet.cronos!.rpc, devnet.cronos!.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
  });

  afterAll(async () => {
    provider?.destroy();
    await agent?.close();
    await devnet?.stop();
  });

  it("refuses the swap with an alert while the pool is 20% off the oracle, and swaps once it is back", async () => {
    agent = await startTestAgent(devnet);
    await agent.until("active");
    const evm = (agent.runtime.actor.getSnapshot().context.loaded as { identity: { evm: string } }).identity
      .evm;
    // The devnet funded the EVM address too.
    expect(await provider.getBalance(evm)).toBeGreaterThan(0n);
    const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
    const uakt = async () =>
      BigInt(
        (await sdk.cosmos.bank.v1beta1.getBalance({ address: agent!.address, denom: "uakt" })).balance
          ?.amount ?? "0",
      );

    await devnet.cronosControl!.movePrice(1.2);
    await devnet.drainAccount(agent.address, "uakt");
    const refusal = await waitFor(
      () => agent!.store.alerts.recent(20).find((alert) => alert.title === "Emergency swap failed"),
      20_000,
      "the refused swap's alert",
    );
    expect(refusal.message).toMatch(
      /swap refused: the quote \(.* CRO \(\$.*\) for 10 AKT\) is 2\d\.\d\d% worse than the oracle price .* slippage cap is 3%/,
    );
    expect(await provider.getTransactionCount(evm)).toBe(0);
    expect(devnet.cronosControl!.transfers()).toHaveLength(0);

    await devnet.cronosControl!.movePrice(1 / 1.2);
    await waitFor(async () => ((await uakt()) >= 10_000_000n ? true : undefined), 20_000, "the bridged AKT");
    const transfers = devnet.cronosControl!.transfers().filter((t) => t.recipient === agent!.address);
    expect(transfers.map((t) => [t.outcome, t.amount])).toEqual([["credited", "10000000"]]);
    // One swap and one send_to_ibc from the agent's EVM address.
    expect(await provider.getTransactionCount(evm)).toBe(2);
    const swapped = agent.store.spending
      .dailyTotals({ from: 0, to: Date.now() + 1 })
      .filter((row) => row.kind === "swap");
    expect(swapped).toEqual([expect.objectContaining({ denom: "wei", count: 1 })]);
  });

  it("sees the drained AKT while the Cronos RPC is down: alerts that the swap failed, swaps once Cronos answers", async () => {
    // The agent of the test above, serving with its AKT back.
    const running = agent!;
    const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
    const uakt = async () =>
      BigInt(
        (await sdk.cosmos.bank.v1beta1.getBalance({ address: running.address, denom: "uakt" })).balance
          ?.amount ?? "0",
      );
    const before = new Set(running.store.alerts.recent(200).map((alert) => alert.id));
    const treasury = () =>
      running.runtime.actor.getSnapshot().children.treasury?.getSnapshot() as {
        context: { balances: { uakt: string; croWei: string | null; cronosUnreadable?: string | null } };
      };
    await devnet.cronosControl!.setRpcDown("error");
    try {
      await devnet.drainAccount(running.address, "uakt");
      // Issue 17: the Akash side is read on its own, so the drained account is seen and a swap tried.
      const failed = await waitFor(
        () =>
          running.store.alerts
            .recent(50)
            .find((alert) => !before.has(alert.id) && alert.title === "Emergency swap failed"),
        20_000,
        "the failed swap's alert while Cronos is down",
      );
      expect(failed.message).toMatch(/Cronos eth_\w+ at .* failed/);
      // A reading that could not read Cronos still carries the Akash side.
      const balances = await waitFor(
        () => {
          const read = treasury().context.balances;
          return read.cronosUnreadable ? read : undefined;
        },
        20_000,
        "a balance reading without Cronos",
      );
      expect(BigInt(balances.uakt)).toBeLessThan(10_000_000n);
      expect(balances.cronosUnreadable).toMatch(/Cronos/);
      // The CRO last read stands in while Cronos cannot be read.
      expect(balances.croWei).not.toBeNull();
    } finally {
      await devnet.cronosControl!.setRpcUp();
    }
    await waitFor(async () => ((await uakt()) >= 10_000_000n ? true : undefined), 20_000, "the bridged AKT");
    expect(running.runtime.lease()?.state).toMatch(/^active/);
  });
});
