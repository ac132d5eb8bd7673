import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { EffectError } from "../../../src/domain/index.js";
import {
  bumpedFees,
  type CronosLegKind,
  type CronosLegStep,
  type CroToAktRequest,
  runCronosLeg,
  swapCroToAkt,
} from "../../../src/services/cronos/index.js";
import { type CronosAgent, createCronosAgent } from "../../support/cronos-agent.js";
import { startTestDevnet } from "../../support/devnet.js";

const AKT_PRICE_USD = 1.25;
const WANTED_UAKT = 5_000_000n;

class SimulatedCrash extends Error {}

function requestFor(agent: CronosAgent, key: string): CroToAktRequest {
  return {
    key,
    amountUakt: WANTED_UAKT.toString(),
    akashAddress: agent.akash,
    aktUsd: AKT_PRICE_USD,
    akashUakt: () => agent.akashUakt(),
  };
}

describe("treasury: CRO → AKT on the devnet's Cronos, bridged to Akash (ethers, real contracts)", () => {
  let devnet: DevnetHandle;
  const crashRows: string[] = [];
  const agents: CronosAgent[] = [];
  const newAgent = async () => {
    const agent = await createCronosAgent(devnet);
    agents.push(agent);
    return agent;
  };
  /** Transfers the relayer saw from this agent's EVM address. */
  const bridged = (agent: CronosAgent) =>
    devnet.cronosControl!.transfers().filter((t) => t.sender.toLowerCase() === agent.evm.toLowerCase());

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, cronos: { bridgeDelayBlocks: 2 } });
  });

  afterAll(async () => {
    if (crashRows.length > 0) console.log(`swap path crash rows:\n${crashRows.join("\n")}`);
    for (const agent of agents) agent.close();
    await devnet?.stop();
  });

  it("quotes, swaps, sends to IBC and sees the uakt arrive on the agent's own Akash account", async () => {
    const agent = await newAgent();
    expect(await agent.akashUakt()).toBe(0n);
    const result = await swapCroToAkt(requestFor(agent, "need-1"), agent.deps());
    expect(BigInt(result.receivedUakt)).toBeGreaterThanOrEqual(WANTED_UAKT);
    expect(await agent.akashUakt()).toBe(BigInt(result.receivedUakt));
    expect(result.swapTxHash).toMatch(/^0x/);
    expect(result.bridgeTxHashes).toHaveLength(1);
    // About $6.3 of CRO for 5 AKT at $1.25 with the pool's 0.3% fee, plus gas.
    expect(result.spentUsd).toBeGreaterThan(6.25);
    expect(result.spentUsd).toBeLessThan(6.5);
    expect(await agent.client.minedNonce()).toBe(2);
    expect(bridged(agent).map((t) => t.outcome)).toEqual(["credited"]);
    expect(agent.store.spending.get("need-1:swap")?.amount).toBe(BigInt(result.spentCroWei));
    // The same need asked again does nothing more on chain.
    const again = await swapCroToAkt(requestFor(agent, "need-1"), agent.deps());
    expect(again.receivedUakt).toBe(result.receivedUakt);
    expect(await agent.client.minedNonce()).toBe(2);
  });

  it("refuses a swap whose quote is beyond the slippage cap after the price moved, and sends nothing", async () => {
    const agent = await newAgent();
    await devnet.cronosControl!.movePrice(1.1);
    try {
      const refused = await swapCroToAkt(requestFor(agent, "need-moved"), agent.deps()).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(EffectError);
      expect((refused as EffectError).kind).toBe("cap_exceeded");
      expect((refused as EffectError).message).toMatch(
        /swap refused: the quote .* is 10\.\d+% worse .* slippage cap is 3%/,
      );
    } finally {
      await devnet.cronosControl!.movePrice(1 / 1.1);
    }
    expect(await agent.client.pendingNonce()).toBe(0);
    expect(agent.store.intents.get("need-moved:swap")).toBeUndefined();
    expect(bridged(agent)).toHaveLength(0);
  });

  it("a bridge transfer that times out is refunded on Cronos and sent once more", async () => {
    const agent = await newAgent();
    devnet.cronosControl!.timeOutBridge(1);
    const result = await swapCroToAkt(requestFor(agent, "need-timeout"), agent.deps());
    expect(result.bridgeTxHashes).toHaveLength(2);
    expect(bridged(agent).map((t) => t.outcome)).toEqual(["refunded", "credited"]);
    expect(await agent.akashUakt()).toBe(BigInt(result.receivedUakt));
    // One swap, two send_to_ibc.
    expect(await agent.client.minedNonce()).toBe(3);
  });

  const crashPoints: Array<{ row: string; leg: CronosLegKind; step: CronosLegStep }> = [
    { row: "after the swap is signed (not sent)", leg: "cronos_swap", step: "signed" },
    { row: "after the swap is sent", leg: "cronos_swap", step: "sent" },
    { row: "after the swap is mined", leg: "cronos_swap", step: "mined" },
    { row: "after send_to_ibc is signed", leg: "cronos_bridge", step: "signed" },
    { row: "after send_to_ibc is mined", leg: "cronos_bridge", step: "mined" },
  ];

  it.each(crashPoints)(
    "a crash $row, then a restart: one swap and one bridge transfer on chain",
    async ({ row, leg, step }) => {
      let agent = await newAgent();
      const crash = (atLeg: CronosLegKind, atStep: CronosLegStep) => {
        if (atLeg === leg && atStep === step) throw new SimulatedCrash(`${leg}:${step}`);
      };
      const first = await swapCroToAkt(requestFor(agent, "need-crash"), agent.deps({ onStep: crash })).catch(
        (e: unknown) => e,
      );
      expect(first).toBeInstanceOf(SimulatedCrash);
      agent = agent.restart();
      agents.push(agent);
      const result = await swapCroToAkt(requestFor(agent, "need-crash"), agent.deps());
      const swaps = (await agent.client.minedNonce()) - bridged(agent).length;
      expect(swaps).toBe(1);
      expect(bridged(agent)).toHaveLength(1);
      expect(await agent.akashUakt()).toBe(BigInt(result.receivedUakt));
      crashRows.push(
        `| ${row.padEnd(36)} | swaps on chain ${swaps} | bridge transfers ${bridged(agent).length} | uakt arrived ${result.receivedUakt} |`,
      );
    },
  );

  it("replaces a transaction stuck in the mempool with the same nonce and bumped fees, under the ceiling", async () => {
    const agent = await newAgent();
    const rpc = (method: string, params: unknown[] = []) =>
      fetch(devnet.cronos!.rpc, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      }).then((response) => response.json());
    await rpc("evm_setAutomine", [false]);
    try {
      const leg = runCronosLeg(
        {
          key: "stuck-leg",
          kind: "cronos_swap",
          payload: { purpose: "a plain transfer to itself" },
          call: () => ({ to: agent.evm, data: "0x", value: 1n, gasLimit: 21_000n }),
        },
        agent.deps({ policy: { ...agent.deps().policy, stuckTxAfterMs: 200 } }),
      );
      const txs = await waitForCount(() => agent.store.cronosTxs.list("stuck-leg"), 2);
      // Recorded before it is sent: mine once the node holds the replacement.
      await waitForCount(async () => ((await agent.client.known(txs[1]!.txHash)) ? [true] : []), 1);
      await rpc("evm_mine");
      const mined = await leg;
      expect(txs.map((tx) => tx.nonce)).toEqual([0, 0]);
      expect(BigInt(txs[1]!.maxFeePerGas)).toBeGreaterThan((BigInt(txs[0]!.maxFeePerGas) * 9n) / 8n);
      expect(mined.hash).toBe(txs[1]!.txHash);
      expect(await agent.client.minedNonce()).toBe(1);
      expect(agent.store.intents.get("stuck-leg")?.state).toBe("done");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    // Never above the ceiling: no replacement at all rather than one the agent will not pay for.
    const previous = { maxFeePerGas: 900n, maxPriorityFeePerGas: 100n };
    const suggested = { maxFeePerGas: 500n, maxPriorityFeePerGas: 50n };
    expect(bumpedFees(previous, suggested, 1_000n)).toBeNull();
    expect(bumpedFees(previous, suggested, 2_000n)).toEqual({
      maxFeePerGas: 1_013n,
      maxPriorityFeePerGas: 113n,
    });
  });
});

async function waitForCount<T>(read: () => T[] | Promise<T[]>, count: number): Promise<T[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await read();
    if (rows.length >= count) return rows;
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${count} rows after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
