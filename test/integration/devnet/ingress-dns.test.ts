import { promises as dns } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { providerRequest } from "../../../support/provider-request.js";
import { createTenant, startTestDevnet, type Tenant, waitFor } from "../../support/devnet.js";
import { type OpenLease, openLease } from "../../support/devnet-deployment.js";

async function errorCodeOf(lookup: Promise<unknown>): Promise<string | undefined> {
  const error = await lookup.then(
    () => undefined,
    (e: unknown) => e as { code?: string },
  );
  return error?.code;
}

async function control(devnet: DevnetHandle, path: string, body: unknown) {
  const response = await fetch(`${devnet.control}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("devnet DNS: the providers' ingress names over real DNS (UDP)", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let lease: OpenLease;
  let host: string;
  const resolver = new dns.Resolver({ timeout: 2_000, tries: 1 });

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 2 });
    resolver.setServers([devnet.dns!]);
    tenant = await createTenant(devnet);
    await devnet.fund(tenant.address, 50_000_000n, "uact");
    lease = await openLease(tenant, tenantSdl({ image: "nginx:1.27" }), {
      provider: devnet.providers[0]!.address,
      bids: 2,
    });
    const path = `/lease/${lease.dseq}/${lease.bidId.gseq}/${lease.bidId.oseq}/status`;
    const uri = await waitFor(async () => {
      const r = await providerRequest(lease.hostUri, path, { token: lease.token, caPem: lease.caPem });
      const body = JSON.parse(r.body) as { services: Record<string, { uris: string[] | null }> };
      return body.services.web?.uris?.[0];
    });
    host = uri;
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await devnet?.stop();
  });

  it("is listed among the endpoints as 127.0.0.1:<port>", async () => {
    expect(devnet.dns).toMatch(/^127\.0\.0\.1:\d+$/);
    const served = (await (await fetch(`${devnet.control}/endpoints`)).json()) as { dns?: string };
    expect(served.dns).toBe(devnet.dns);
  });

  it("answers a running lease's ingress name with 127.0.0.1, in any letter case, and has no AAAA for it", async () => {
    expect(host).toMatch(/^[0-9a-f]{20}\.ingress\.[a-z0-9-]+\.devnet\.localhost$/);
    expect(await resolver.resolve4(host)).toEqual(["127.0.0.1"]);
    expect(await resolver.resolve4(host.toUpperCase())).toEqual(["127.0.0.1"]);
    expect(await errorCodeOf(resolver.resolve6(host))).toBe(dns.NODATA);
  });

  it("answers NXDOMAIN for other names in its zone and REFUSED outside it", async () => {
    const stranger = host.replace(/^[0-9a-f]{20}/, "0".repeat(20));
    expect(await errorCodeOf(resolver.resolve4(stranger))).toBe(dns.NOTFOUND);
    expect(await errorCodeOf(resolver.resolve4("devnet.localhost"))).toBe(dns.NOTFOUND);
    expect(await errorCodeOf(resolver.resolve4("example.com"))).toBe(dns.REFUSED);
  });

  it("drops one provider's names under the fault and brings them back when it is cleared", async () => {
    const [running, other] = devnet.providers;
    expect(await control(devnet, "/dns/fail", { provider: other!.address })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(await resolver.resolve4(host)).toEqual(["127.0.0.1"]);

    await control(devnet, "/dns/fail", { provider: running!.address });
    expect(await errorCodeOf(resolver.resolve4(host))).toBe(dns.NOTFOUND);
    const status = (await (await fetch(`${devnet.control}/status`)).json()) as {
      dns: { failingProviders: string[] };
    };
    expect(status.dns.failingProviders.sort()).toEqual([running!.address, other!.address].sort());

    await control(devnet, "/dns/clear", {});
    expect(await resolver.resolve4(host)).toEqual(["127.0.0.1"]);
    const unknown = await control(devnet, "/dns/fail", { provider: "akash1nobody" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unknown provider/);
  });

  it("forgets the name once the lease is closed", async () => {
    await devnet.closeLease({ owner: tenant.address, dseq: lease.dseq, provider: lease.bidId.provider });
    await waitFor(
      async () => ((await errorCodeOf(resolver.resolve4(host))) === dns.NOTFOUND ? true : undefined),
      10_000,
      "the closed lease's name to stop resolving",
    );
  });
});
