import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { TRANSFER_GAS } from "../../src/services/cronos/index.js";
import type { ChildAgent } from "../../src/services/store/child-repository.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { runCli } from "../../support/run-cli.js";
import { DEPLOYED_AGENT_READY_MS } from "../support/agent-harness.js";
import { startTestAgentProcess, type TestAgentProcess } from "../support/agent-process-harness.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

const CHILD_CRO_WEI = 50n * 10n ** 18n; // $5 at the devnet's $0.10
const GAS_CEILING_WEI = 10_000n * 10n ** 9n; // treasury.gasFeeCeilingGwei's default
const figures: Record<string, number> = {};

/**
 * DESIGN §13's "CRO for the child's treasury goes by an ordinary transfer, within the parent's caps",
 * end to end on the devnet with its Cronos: a parent agent process with `reproduction.childCroWei`
 * spawns a child, which its own instance then holds in its treasury; retiring it sweeps the CRO back.
 */
describe("a parent gives its child CRO for its treasury and takes it back at retirement", () => {
  let devnet: DevnetHandle;
  let parent: TestAgentProcess;
  let cronos: JsonRpcProvider;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const children = (): ChildAgent[] => parent.store.children.all();

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 2,
      nostr: true,
      cronos: true,
      ...agentProcessOptions(tempDir("family-cro-logs-")),
    });
    cronos = new JsonRpcProvider(devnet.cronos!.rpc, devnet.cronos!.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    parent = await startTestAgentProcess(devnet, {
      settings: {
        "agent.sdlProfile": "relay",
        "agent.relayDomain": "127.0.0.1",
        "heartbeat.intervalMs": 1_000,
        "timeouts.servicesReadyMs": DEPLOYED_AGENT_READY_MS,
        "reproduction.enabled": true,
        "reproduction.maxChildren": 1,
        "reproduction.triggers": [],
        "reproduction.childBudgetUact": "20000000",
        "reproduction.childFeeBudgetUakt": "3000000",
        "reproduction.childCroWei": CHILD_CRO_WEI.toString(),
        "reproduction.heartbeatCheckMs": 500,
        "reproduction.silenceThresholdMs": 60_000,
        "budget.childAllocationCapUsd": 100,
        "budget.dailySpendCapUsd": 1_000,
        "budget.treasuryMinimumUsd": 0,
      },
    });
    await parent.until("active.monitoring");
  }, 120_000);

  afterAll(async () => {
    cronos?.destroy();
    await parent?.close();
    await devnet?.stop();
    if (!process.env.KEEP_TEST_DIRS) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    console.log(`child CRO figures: ${JSON.stringify(figures)}`);
  });

  it("the child is born with its CRO, sent once; its own treasury reads it; retiring it sweeps it back", async () => {
    const started = performance.now();
    parent.runtime.send(
      { type: "REPRODUCTION.SPAWN", requestId: "spawn-cro", role: "replica", region: null },
      "test",
    );
    const born = await waitFor(
      () => children().find((known) => known.state === "active"),
      180_000,
      "the child active",
    );
    figures.spawnToActiveMs = Math.round(performance.now() - started);

    // The registry has its Cronos address and what it was given; one transfer went to it, once.
    const address = born.addresses.cronos!;
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(born.funded).toEqual({ wei: CHILD_CRO_WEI.toString() });
    const transfers = parent.store.db
      .prepare("SELECT key, state, payload_json FROM intents WHERE kind = 'cronos_transfer'")
      .all() as Array<{ key: string; state: string; payload_json: string }>;
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.state).toBe("done");
    expect(JSON.parse(transfers[0]!.payload_json)).toEqual({
      purpose: "child_funding",
      to: address,
      wei: CHILD_CRO_WEI.toString(),
    });
    expect(parent.store.spending.get(transfers[0]!.key)).toMatchObject({
      kind: "child_funding",
      denom: "wei",
    });
    // The devnet's faucet gives CRO only to an address holding none: what the child holds is its parent's.
    const held = await cronos.getBalance(address);
    expect(held).toBeGreaterThan(0n);
    expect(held).toBeLessThanOrEqual(CHILD_CRO_WEI);

    // The child's own instance reads its CRO into its treasury (its balance gauge counts whole CRO).
    const uri = childUri(born);
    const gauge = await waitFor(
      async () => {
        const text = await (
          await fetch(`http://${uri}/metrics`, { signal: AbortSignal.timeout(5_000) })
        ).text();
        const match = /^akash_agent_balance\{denom="cro"\} (\S+)$/m.exec(text);
        return match ? Number(match[1]) : undefined;
      },
      30_000,
      "the child's CRO in its treasury",
    );
    expect(gauge).toBeGreaterThan(0);
    expect(gauge).toBeLessThanOrEqual(50);

    // `akash-agent family --json` shows it.
    const family = await runCli([
      "family",
      "--data",
      parent.dataDir,
      "--devnet-url",
      devnet.control,
      "--json",
    ]);
    expect(family.code, family.stderr).toBe(0);
    const [view] = (JSON.parse(family.stdout) as { children: Array<{ cro: unknown }> }).children;
    expect(view!.cro).toEqual({ address, balanceWei: expect.stringMatching(/^[1-9]\d*$/) });

    // Retired: after its grants are revoked, its CRO goes back to the parent's Cronos address.
    const parentBefore = await cronos.getBalance(parent.keys.identity.evm);
    const retireStarted = performance.now();
    const retired = await runCli(["retire", "--url", parent.url, born.id], {
      AGENT_MNEMONIC: parent.mnemonic,
    });
    expect(retired.code, retired.stderr).toBe(0);
    figures.retireMs = Math.round(performance.now() - retireStarted);
    const dust = await cronos.getBalance(address);
    expect(dust).toBeLessThan(GAS_CEILING_WEI * TRANSFER_GAS);
    const sweeps = parent.store.db
      .prepare(
        "SELECT key, state, payload_json FROM intents WHERE kind = 'cronos_transfer' AND key LIKE '%:cro-sweep'",
      )
      .all() as Array<{ key: string; state: string; payload_json: string }>;
    expect(sweeps.map((sweep) => sweep.state)).toEqual(["done"]);
    const swept = BigInt((JSON.parse(sweeps[0]!.payload_json) as { wei: string }).wei);
    expect(swept + dust).toBeLessThan(held);
    // One transaction from the child to the parent's Cronos address, of what was recorded.
    const [sweepTx] = parent.store.cronosTxs.list(sweeps[0]!.key);
    const onChain = await cronos.getTransaction(sweepTx!.txHash);
    expect(onChain?.from).toBe(address);
    expect(onChain?.to).toBe(parent.keys.identity.evm);
    expect(onChain?.value).toBe(swept);
    expect((await cronos.getTransactionReceipt(sweepTx!.txHash))?.status).toBe(1);
    expect(await cronos.getBalance(parent.keys.identity.evm)).toBeGreaterThan(parentBefore);
    figures.sweptCro = Number(swept / 10n ** 14n) / 1e4;
  }, 300_000);

  /** The child's instance URI, from its lease on the provider (what `run --json` printed at birth). */
  function childUri(born: ChildAgent): string {
    const store = openAgentStore({ dataDir: join(parent.dataDir, "children", born.id) });
    try {
      const uri = store.leadership.current().leader?.uri;
      if (!uri) throw new Error(`no leader URI recorded for ${born.id}`);
      return uri;
    } finally {
      store.close();
    }
  }
});
