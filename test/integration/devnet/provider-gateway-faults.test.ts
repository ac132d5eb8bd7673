import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { providerRequest } from "../../../support/provider-request.js";
import { createTenant, startTestDevnet, type Tenant } from "../../support/devnet.js";
import { type OpenLease, openLease } from "../../support/devnet-deployment.js";

/**
 * The gateway faults the fault matrix needs beside slow and failing: a provider that refuses every
 * manifest, and one that answers garbage with HTTP 200, through the control API as an operator would
 * inject them.
 */
describe("devnet provider gateway faults: refusing manifests, answering garbage", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let auditor: string;
  let lease: OpenLease;

  const degrade = async (mode: string) => {
    const response = await fetch(`${devnet.control}/providers/degrade`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: lease.bidId.provider, mode }),
    });
    expect(response.status).toBe(200);
  };
  const request = (path: string, method = "GET", body?: string) =>
    providerRequest(lease.hostUri, path, {
      method,
      caPem: lease.caPem,
      token: lease.token,
      ...(body === undefined ? {} : { body }),
    });

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
    tenant = await createTenant(devnet);
    await devnet.fund(tenant.address, 50_000_000n, "uact");
    auditor = (await tenant.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
    lease = await openLease(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await devnet?.stop();
  });

  it("refuses every manifest with a 500 once refusing, and accepts it again when healthy", async () => {
    await degrade("refusing-manifest");
    const manifest = lease.sdl.manifestSortedJSON();
    const refused = await request(`/deployment/${lease.dseq}/manifest`, "PUT", manifest);
    expect(refused.status).toBe(500);
    expect(refused.body).toMatch(/^kube: unable to deploy the manifest/);
    // Only the manifest: its status and lease routes still answer.
    expect((await request("/status")).status).toBe(200);
    expect((await request(`/lease/${lease.dseq}/1/1/status`)).status).toBe(200);
    await degrade("healthy");
    expect((await request(`/deployment/${lease.dseq}/manifest`, "PUT", manifest)).status).toBe(200);
  });

  it("answers 200 with bodies that are not what the routes promise once garbage, and sense again when healthy", async () => {
    await degrade("garbage");
    const status = await request("/status");
    expect(status.status).toBe(200);
    expect(() => JSON.parse(status.body)).toThrow();
    const leaseStatus = await request(`/lease/${lease.dseq}/1/1/status`);
    expect(leaseStatus.status).toBe(200);
    expect(JSON.parse(leaseStatus.body)).toEqual({ services: 42, forwarded_ports: "none", ips: null });
    // Authentication still comes first: no token, no garbage.
    const anonymous = await providerRequest(lease.hostUri, `/lease/${lease.dseq}/1/1/status`, {
      caPem: lease.caPem,
    });
    expect(anonymous.status).toBe(401);
    await degrade("healthy");
    const healthy = JSON.parse((await request(`/lease/${lease.dseq}/1/1/status`)).body) as {
      services: unknown;
    };
    expect(typeof healthy.services).toBe("object");
  });
});
