import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import type { HealthReport } from "../../../src/machines/health/health.types.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { type ChainAudit, chainAudit, DEPLOYMENT_ACTIVE, LEASE_ACTIVE } from "../../support/chain-audit.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";

/**
 * The agent's whole lifecycle on the devnet, with the real actors, services and store: deploy to
 * active, escrow topped up before it runs low, migration away from a provider that went offline
 * (close the lease, rebid on the same deployment) and from one reclaiming the lease
 * (make-before-break), scaling up on memory pressure, and termination with the escrow refunded.
 */
describe("the agent on the devnet", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let audit: ChainAudit;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
    audit = chainAudit(devnet);
  });

  afterAll(async () => {
    for (const agent of agents) await agent.close();
    await devnet?.stop();
  });

  const start = async (settings: Record<string, unknown> = {}) => {
    const agent = await startTestAgent(devnet, { settings });
    agents.push(agent);
    return agent;
  };

  const activeDeployments = async (owner: string) =>
    (await audit.deployments(owner)).filter((deployment) => deployment.state === DEPLOYMENT_ACTIVE);
  const activeLeases = async (owner: string) =>
    (await audit.leases(owner)).filter((lease) => lease.state === LEASE_ACTIVE);

  it("deploys itself to active and tops up its escrow before the runway falls under the threshold", async () => {
    // The first deposit lasts ~0.67 h at devnet speed: under the 1 h threshold, so a top-up follows at once.
    const agent = await start({ "escrow.topUpBelowHours": 1, "escrow.topUpToHours": 2 });
    const active = await agent.until("active");
    expect(active.provider).toMatch(/^akash1/);
    expect(active.uris.length).toBeGreaterThan(0);

    const [deployment] = await activeDeployments(agent.address);
    expect(deployment?.dseq).toBe(active.dseq);
    expect(await activeLeases(agent.address)).toEqual([
      expect.objectContaining({ dseq: active.dseq, provider: active.provider }),
    ]);

    // The health checks look the services' ingress names up in the devnet's DNS, and find them all.
    const health = agent.runtime.actor.getSnapshot().children.health as
      | { getSnapshot(): { context: { lastReport: HealthReport | null } } }
      | undefined;
    const ingress = await waitFor(() => health?.getSnapshot().context.lastReport?.ingress ?? undefined);
    expect(ingress).toEqual({ unresolved: [] });

    const topped = await agent.until("active.monitoring", (view) => (view.escrowRunwayHours ?? 0) >= 1.5);
    expect(topped.escrowRunwayHours).toBeLessThanOrEqual(2.01);
    // One top-up, recorded once, and the chain's escrow holds it (less what the lease used since).
    const topUps = agent.store.spending
      .dailyTotals({ from: 0, to: Date.now() + 1 })
      .filter((row) => row.kind === "escrow_deposit");
    expect(topUps).toEqual([expect.objectContaining({ count: 1 })]);
    const [after] = await activeDeployments(agent.address);
    expect(BigInt(after!.escrowBalance)).toBeGreaterThan(500_000n);
    expect(BigInt(after!.escrowBalance)).toBeLessThanOrEqual(500_000n + topUps[0]!.amount);
    agent.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true });
    await waitFor(
      async () => ((await activeDeployments(agent.address)).length === 0 ? true : undefined),
      20_000,
    );
    // Our own record of the provider: when it was ready, what our checks measured, why it ended.
    const [record] = await waitFor(() => {
      const history = agent.store.providerPerformance.history(active.provider!);
      return history[0]?.outcome ? history : undefined;
    });
    expect(record).toMatchObject({ dseq: active.dseq, outcome: "closed" });
    // Under load a probe may time out, so not necessarily 1; but measured, from our checks.
    expect(record!.measuredUptime).toBeGreaterThan(0);
    expect(record!.readyAt).toBeGreaterThanOrEqual(record!.startedAt);
    expect(record!.endedAt).toBeGreaterThanOrEqual(record!.readyAt!);
    expect(record!.checks.total).toBeGreaterThan(0);
  });

  it("leaves a provider that went offline: closes the lease and rebids on the same deployment", async () => {
    const agent = await start();
    const first = await agent.until("active");
    await devnet.setProviderOnline(first.provider!, false);
    const moved = await agent.until("active", (view) => view.provider !== first.provider);
    expect(moved.dseq).toBe(first.dseq);
    const leases = await audit.leases(agent.address);
    expect(leases.find((lease) => lease.provider === first.provider)?.state).not.toBe(LEASE_ACTIVE);
    expect(await activeLeases(agent.address)).toEqual([
      expect.objectContaining({ provider: moved.provider }),
    ]);
    expect(await activeDeployments(agent.address)).toHaveLength(1);
    await devnet.setProviderOnline(first.provider!, true);
    agent.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true });
    await waitFor(
      async () => ((await activeDeployments(agent.address)).length === 0 ? true : undefined),
      20_000,
    );
  });

  it("moves make-before-break when the provider reclaims the lease, then closes the old deployment", async () => {
    const agent = await start();
    const first = await agent.until("active");
    await devnet.reclaimLease(
      { owner: agent.address, dseq: first.dseq!, provider: first.provider! },
      120_000,
    );
    const moved = await agent.until("active", (view) => view.dseq !== first.dseq);
    expect(moved.provider).not.toBe(first.provider);
    await waitFor(async () => {
      const active = await activeDeployments(agent.address);
      return active.length === 1 && active[0]!.dseq === moved.dseq ? true : undefined;
    }, 15_000);
    expect(await activeLeases(agent.address)).toEqual([expect.objectContaining({ dseq: moved.dseq })]);
    agent.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true });
    await waitFor(
      async () => ((await activeDeployments(agent.address)).length === 0 ? true : undefined),
      20_000,
    );
  });

  it("tries three providers whose gateways fail, then fails with a critical alert and nothing left open", async () => {
    const capable = [0, 1, 3].map((index) => devnet.providers[index]!.address);
    for (const provider of capable) devnet.degradeProvider(provider, { mode: "failing" });
    try {
      const agent = await start({ "bidding.maxAttempts": 3 });
      const failed = await agent.until("failed.idle");
      expect(failed.state).toBe("failed.idle");
      const lease = agent.runtime.actor.getSnapshot().children.lease?.getSnapshot() as {
        context: { excludedProviders: string[] };
      };
      expect([...lease.context.excludedProviders].sort()).toEqual([...capable].sort());
      expect(await activeDeployments(agent.address)).toEqual([]);
      expect(await activeLeases(agent.address)).toEqual([]);
      await waitFor(
        () =>
          agent.store.alerts.recent(20).some((alert) => alert.title === "Deployment failed")
            ? true
            : undefined,
        5_000,
        "the critical alert",
      );
      const alert = agent.store.alerts.recent(20).find((entry) => entry.title === "Deployment failed");
      expect(alert?.severity).toBe("critical");
    } finally {
      for (const provider of capable) devnet.degradeProvider(provider, { mode: "healthy" });
    }
  });

  it("scales up on memory pressure with a bigger deployment, and terminates with the escrow refunded", async () => {
    const agent = await start();
    const first = await agent.until("active");
    agent.metrics.set({ memoryPercent: 97, diskPercent: 20, cpuPercent: 30 });
    const scaled = await agent.until("active", (view) => view.dseq !== first.dseq);
    agent.metrics.set({ memoryPercent: 40, diskPercent: 20, cpuPercent: 30 });
    const lease = agent.runtime.actor.getSnapshot().children.lease?.getSnapshot() as {
      context: { resources: { memoryGi: number } };
    };
    expect(lease.context.resources.memoryGi).toBe(8);
    await waitFor(async () => {
      const active = await activeDeployments(agent.address);
      return active.length === 1 && active[0]!.dseq === scaled.dseq ? true : undefined;
    }, 15_000);

    const refunded = () =>
      agent.store.spending.totalBetween({
        denom: "uact",
        from: 0,
        to: Date.now() + 1,
        kinds: ["escrow_refund"],
      });
    // The first deployment's refund (closed after the scale-up) is in the ledger as a credit: it gives
    // the daily spend cap its room back.
    const beforeRefunds = await waitFor(async () => (refunded() > 0n ? refunded() : undefined), 15_000);
    const { uact: before } = await agent.connection.chain.balances();
    agent.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true });
    await waitFor(
      async () => (agent.runtime.actor.getSnapshot().status === "done" ? true : undefined),
      30_000,
    );
    expect(await activeDeployments(agent.address)).toEqual([]);
    expect(await activeLeases(agent.address)).toEqual([]);
    const { uact: after } = await agent.connection.chain.balances();
    expect(BigInt(after)).toBeGreaterThan(BigInt(before));
    // The last close's refund is recorded too, exactly as much as came back.
    expect(refunded() - beforeRefunds).toBe(BigInt(after) - BigInt(before));
  });
});
