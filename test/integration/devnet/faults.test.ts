import { BaseAccount } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { providerRequest } from "../../../support/provider-request.js";
import { createTenant, startTestDevnet, type Tenant, waitFor } from "../../support/devnet.js";
import { createDeployment, openLease, waitForBids } from "../../support/devnet-deployment.js";

async function control(devnet: DevnetHandle, route: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${devnet.control}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`control ${route}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

describe("devnet: every fault from the control API has the effect it names", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let auditor: string;
  let sdl: (image?: string) => string;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 3 });
    tenant = await createTenant(devnet, 200_000_000n);
    await devnet.fund(tenant.address, 100_000_000n, "uact");
    auditor = (await tenant.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
    sdl = (image = "nginx:1.27") => tenantSdl({ auditor, image });
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await devnet?.stop();
  });

  it("answers GET /endpoints with the handle's endpoints", async () => {
    const response = await fetch(`${devnet.control}/endpoints`);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(devnet.endpoints())));
  });

  it("serves Console-shaped provider data and a faucet that validates its input", async () => {
    const list = (await (await fetch(`${devnet.consoleApi}/v1/providers`)).json()) as {
      owner: string;
      isAudited: boolean;
      isOnline: boolean;
      uptime7d: number | null;
      locationRegion: string;
      attributes: { key: string; value: string; auditedBy: string[] }[];
    }[];
    expect(list.map((p) => p.owner).sort()).toEqual(devnet.providers.map((p) => p.address).sort());
    for (const info of devnet.providers) {
      const entry = list.find((p) => p.owner === info.address)!;
      expect(entry.isAudited).toBe(info.audited);
      expect(entry.isOnline).toBe(true);
      expect(entry.locationRegion).toBe(info.region);
      expect(entry.uptime7d).toBeGreaterThan(0.9);
      const region = entry.attributes.find((a) => a.key === "location-region")!;
      expect(region.auditedBy).toEqual(info.audited ? [auditor] : []);
    }
    expect((await fetch(`${devnet.consoleApi}/v1/providers/akash1notaprovider`)).status).toBe(404);

    const bad = await fetch(devnet.faucet, {
      method: "POST",
      body: JSON.stringify({ address: "cosmos1xyz", amount: "5" }),
    });
    expect(bad.status).toBe(400);
    const ok = await fetch(devnet.faucet, {
      method: "POST",
      body: JSON.stringify({ address: tenant.address, amount: 7 }),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { txHash: string }).txHash).toMatch(/^[0-9A-F]{64}$/);
  });

  it("takes a provider offline: no gateway, no bids, Console reports it offline", async () => {
    const [offline, online] = devnet.providers;
    const certs = await tenant.sdk.akash.cert.v1.getCertificates({
      filter: { owner: offline!.address, state: "valid", serial: "" },
    });
    const caPem = new TextDecoder().decode(certs.certificates[0]!.certificate!.cert);
    expect((await providerRequest(offline!.hostUri, "/version", { caPem })).status).toBe(200);
    await control(devnet, "/providers/offline", { provider: offline!.address });
    await expect(providerRequest(offline!.hostUri, "/version", { caPem })).rejects.toThrow(/ECONNREFUSED/);
    const consoleEntry = (await (
      await fetch(`${devnet.consoleApi}/v1/providers/${offline!.address}`)
    ).json()) as { isOnline: boolean };
    expect(consoleEntry.isOnline).toBe(false);

    const { dseq } = await createDeployment(tenant, sdl());
    await waitForBids(tenant, dseq, 1);
    const heightWithBids = devnet.height();
    await devnet.waitForHeight(heightWithBids + 3n);
    const bids = await tenant.sdk.akash.market.v1beta5.getBids({
      filters: { owner: tenant.address, dseq, state: "" },
    });
    const bidders = bids.bids.map((b) => b.bid!.id!.provider);
    expect(bidders).toContain(online!.address);
    expect(bidders).not.toContain(offline!.address);

    await control(devnet, "/providers/online", { provider: offline!.address });
    expect((await providerRequest(offline!.hostUri, "/version", { caPem })).status).toBe(200);
    const back = (await (await fetch(`${devnet.consoleApi}/v1/providers/${offline!.address}`)).json()) as {
      isOnline: boolean;
    };
    expect(back.isOnline).toBe(true);
    await waitFor(
      async () => {
        const r = await tenant.sdk.akash.market.v1beta5.getBids({
          filters: { owner: tenant.address, dseq, provider: offline!.address },
        });
        return r.bids.length === 1 ? true : undefined;
      },
      10_000,
      "the provider to bid once back online",
    );
  });

  it("degrades a provider: failing status calls fail, slow calls outlast a client timeout", async () => {
    const lease = await openLease(tenant, sdl(), { provider: devnet.providers[0]!.address });
    const statusPath = `/lease/${lease.dseq}/1/1/status`;
    const provider = lease.bidId.provider;
    await control(devnet, "/providers/degrade", { provider, mode: "failing" });
    expect(
      (await providerRequest(lease.hostUri, statusPath, { token: lease.token, caPem: lease.caPem })).status,
    ).toBe(500);
    expect((await providerRequest(lease.hostUri, "/status", { caPem: lease.caPem })).status).toBe(503);

    await control(devnet, "/providers/degrade", { provider, mode: "slow", delayMs: 5000 });
    const slow = Promise.race([
      providerRequest(lease.hostUri, "/version", { caPem: lease.caPem }).then(() => "answered"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 300)),
    ]);
    expect(await slow).toBe("still waiting");

    await control(devnet, "/providers/degrade", { provider, mode: "healthy" });
    expect(
      (await providerRequest(lease.hostUri, statusPath, { token: lease.token, caPem: lease.caPem })).status,
    ).toBe(200);
  });

  it("reclaims a lease: state 4 (unknown to chain-sdk alpha.25) until the deadline, then the provider closes it", async () => {
    const lease = await openLease(tenant, sdl(), { provider: devnet.providers[1]!.address });
    const result = await control(devnet, "/leases/reclaim", {
      ...lease.bidId,
      dseq: lease.dseq,
      windowMs: 600,
    });
    expect(typeof result.deadline).toBe("number");
    const reclaiming = await tenant.sdk.akash.market.v1beta5.getLease({ id: lease.bidId });
    expect(reclaiming.lease!.state).toBe(4);
    const filtered = await tenant.sdk.akash.market.v1beta5.getLeases({
      filters: { owner: tenant.address, dseq: lease.dseq, state: "reclaiming" },
    });
    expect(filtered.leases).toHaveLength(1);
    const closed = await waitFor(
      async () => {
        const r = await tenant.sdk.akash.market.v1beta5.getLease({ id: lease.bidId });
        return r.lease!.state === 3 ? r.lease! : undefined;
      },
      10_000,
      "the reclaimed lease to close",
    );
    expect(closed.reason).toBe(10001);
    const group = await tenant.sdk.akash.deployment.v1beta4.getGroup({
      id: { owner: tenant.address, dseq: lease.dseq, gseq: 1 },
    });
    expect(group.group!.state).toBe(2);
  });

  it("closes a lease from the provider side", async () => {
    const lease = await openLease(tenant, sdl(), { provider: devnet.providers[0]!.address });
    await control(devnet, "/leases/close", { ...lease.bidId, dseq: lease.dseq });
    const closed = await tenant.sdk.akash.market.v1beta5.getLease({ id: lease.bidId });
    expect(closed.lease!.state).toBe(3);
    expect(closed.lease!.reason).toBe(10002);
    expect(
      (
        await providerRequest(lease.hostUri, `/lease/${lease.dseq}/1/1/status`, {
          token: lease.token,
          caPem: lease.caPem,
        })
      ).status,
    ).toBe(404);
  });

  it("fails RPC and gRPC calls, and delays them", async () => {
    const client = await StargateClient.connect(devnet.rpc);
    await control(devnet, "/rpc/fault", { target: "rpc", kind: "error", count: 1 });
    await expect(client.getHeight()).rejects.toThrow(/Bad status on response: 503/);
    expect(await client.getHeight()).toBeGreaterThan(0);
    client.disconnect();

    await control(devnet, "/rpc/fault", { target: "grpc", kind: "error", count: 1 });
    await expect(
      tenant.sdk.cosmos.bank.v1beta1.getBalance({ address: tenant.address, denom: "uakt" }),
    ).rejects.toThrow(/unavailable/);
    await control(devnet, "/rpc/fault", { target: "grpc", kind: "delay", delayMs: 3000, count: 1 });
    await expect(
      tenant.sdk.cosmos.bank.v1beta1.getBalance(
        { address: tenant.address, denom: "uakt" },
        { timeoutMs: 200 },
      ),
    ).rejects.toThrow(/deadline/i);
    await control(devnet, "/rpc/clear", {});
    const balance = await tenant.sdk.cosmos.bank.v1beta1.getBalance({
      address: tenant.address,
      denom: "uakt",
    });
    expect(BigInt(balance.balance!.amount)).toBeGreaterThan(0n);
  });

  it("fails the next tx of an address (included, fee charged, sequence used)", async () => {
    const before = await tenant.sdk.cosmos.auth.v1beta1.getAccount({ address: tenant.address });
    await control(devnet, "/tx/fail-next", { address: tenant.address });
    const sendTo = devnet.providers[2]!.address;
    await expect(
      tenant.sdk.cosmos.bank.v1beta1.send({
        fromAddress: tenant.address,
        toAddress: sendTo,
        amount: [{ denom: "uakt", amount: "1" }],
      }),
    ).rejects.toThrow(/Transaction failed with code 6/);
    await tenant.sdk.cosmos.bank.v1beta1.send({
      fromAddress: tenant.address,
      toAddress: sendTo,
      amount: [{ denom: "uakt", amount: "1" }],
    });
    const after = await tenant.sdk.cosmos.auth.v1beta1.getAccount({ address: tenant.address });
    const sequence = (r: { account?: { value: Uint8Array } }) =>
      BigInt(BaseAccount.decode(r.account!.value).sequence.toString());
    expect(sequence(after)).toBe(sequence(before) + 2n);
  });

  it("drains an account and a deployment's escrow", async () => {
    const lease = await openLease(tenant, sdl(), { provider: devnet.providers[0]!.address });
    await control(devnet, "/escrow/drain", { owner: tenant.address, dseq: lease.dseq });
    const closed = await waitFor(
      async () => {
        const r = await tenant.sdk.akash.market.v1beta5.getLease({ id: lease.bidId });
        return r.lease!.state === 2 ? r.lease! : undefined;
      },
      10_000,
      "the drained lease to close",
    );
    expect(closed.reason).toBe(20000);

    await control(devnet, "/accounts/drain", { address: tenant.address, denom: "uact" });
    const uact = await tenant.sdk.cosmos.bank.v1beta1.getBalance({ address: tenant.address, denom: "uact" });
    expect(uact.balance!.amount).toBe("0");
  });
});
