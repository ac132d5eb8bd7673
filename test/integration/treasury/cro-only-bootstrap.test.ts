import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { runCli } from "../../../support/run-cli.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

describe("treasury: an agent with CRO only reaches an active lease by itself", () => {
  let devnet: DevnetHandle;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    devnet = await startTestDevnet({ blockTimeMs: 100, cronos: { bridgeDelayBlocks: 2 } });
  });

  afterAll(async () => {
    await agent?.close().catch(() => undefined);
    await devnet?.stop();
  });

  it("swaps CRO for AKT, bridges it to its empty Akash account, pays its first fees with it and deploys", async () => {
    agent = await startTestAgent(devnet, { fund: "cro-only" });
    const active = await agent.until("active");
    expect(active.dseq).not.toBeNull();

    // Every uakt the account ever had came over the bridge (no faucet transfer to the Akash address):
    // first the bootstrap's, then any swap the running treasury made for its ACT float.
    const transfers = devnet.cronosControl!.transfers().filter((t) => t.recipient === agent!.address);
    const bootstrapBridge = agent.store.intents.get(`${agent.address}:bootstrap:bridge`);
    expect(bootstrapBridge?.state).toBe("done");
    expect(transfers[0]).toMatchObject({ cronosTxHash: bootstrapBridge?.txHash, outcome: "credited" });
    expect(transfers.filter((t) => t.outcome === "refunded")).toEqual([]);
    const swap = agent.store.spending.get(`${agent.address}:bootstrap:swap`);
    expect(swap?.denom).toBe("wei");

    // The account exists now, funded with bridged AKT only, and has paid fees and minted ACT from it.
    const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
    const uakt = BigInt(
      (await sdk.cosmos.bank.v1beta1.getBalance({ address: agent.address, denom: "uakt" })).balance?.amount ??
        "0",
    );
    const credited = transfers
      .filter((t) => t.outcome === "credited")
      .reduce((sum, t) => sum + BigInt(t.amount), 0n);
    expect(uakt).toBeLessThan(credited);
    expect(uakt).toBeGreaterThan(0n);

    // Once the treasury has read its balances (escrow and burn included), the CLI reads them from the store.
    await waitFor(() => {
      const treasury = agent!.runtime.actor.getSnapshot().children.treasury?.getSnapshot() as
        | { context: { balances: { escrowUact?: string; burnUactPerDay?: string } | null } }
        | undefined;
      const balances = treasury?.context.balances;
      return balances && BigInt(balances.burnUactPerDay ?? "0") > 0n ? true : undefined;
    }, 20_000);
    await agent.close();
    const shown = await runCli(["treasury", "--data", agent.dataDir, "--json"]);
    expect(shown.stderr).toBe("");
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout) as {
      akash: { uakt: string; uact: string; escrowUact: string };
      cronos: { croWei: string; aktUnits: string };
      runwayDays: number;
      tier: string;
      spentTodayUsd: number;
      capUsdPerDay: number;
    };
    expect(Object.keys(view)).toEqual([
      "akash",
      "cronos",
      "runwayDays",
      "tier",
      "spentTodayUsd",
      "capUsdPerDay",
    ]);
    for (const value of [
      view.akash.uakt,
      view.akash.uact,
      view.akash.escrowUact,
      view.cronos.croWei,
      view.cronos.aktUnits,
    ])
      expect(value).toMatch(/^\d+$/);
    expect(BigInt(view.akash.escrowUact)).toBeGreaterThan(0n);
    // 2000 CRO from the devnet, less the swaps (about 390 CRO for the bootstrap, 125 per float swap) and gas.
    expect(BigInt(view.cronos.croWei)).toBeLessThan(1_700n * 10n ** 18n);
    expect(BigInt(view.cronos.croWei)).toBeGreaterThan(1_000n * 10n ** 18n);
    expect(view.runwayDays).toBeGreaterThan(0);
    expect(["normal", "frugal", "critical"]).toContain(view.tier);
    // The first deployment deposit is committed spend.
    expect(view.spentTodayUsd).toBeGreaterThan(0);
    expect(view.capUsdPerDay).toBe(50);
    const text = await runCli(["treasury", "--data", agent.dataDir]);
    expect(text.stdout).toMatch(/^tier {5}(normal|frugal|critical)$/m);
  });
});
