import { createServer, type Server } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { generateProviderCertificate } from "../../../src/devnet/provider/provider-certificate.js";
import { EffectError, type FailureKind } from "../../../src/domain/index.js";
import { type LeaseKey, manifestOfSdl } from "../../../src/services/akash/index.js";
import { createTenant, startTestDevnet } from "../../support/devnet.js";
import { tenantSdl } from "../../support/devnet-sdl.js";
import { type AgentUnderTest, eventually, FAST, freshDseq, startAgent } from "./akash-test-kit.js";

async function failure(effect: Promise<unknown>): Promise<EffectError> {
  const error = await effect.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EffectError);
  return error as EffectError;
}

const kindOf = async (effect: Promise<unknown>): Promise<FailureKind> => (await failure(effect)).kind;

describe("akash service on the devnet: provider gateways over pinned HTTPS with AEP-64 tokens", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;
  let lease: LeaseKey;
  let hostUri: string;
  let manifestJson: string;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 2 });
    agent = await startAgent(devnet, { uakt: 50_000_000n, uact: 20_000_000n });
    const { chain, gateway } = agent.akash;
    const dseq = await freshDseq(agent);
    const yaml = tenantSdl({ image: "nginx:1.27" });
    const manifest = await manifestOfSdl(yaml);
    manifestJson = manifest.manifestJson;
    await chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: yaml,
      manifestVersion: manifest.manifestVersion,
      depositUact: "1000000",
    });
    const provider = devnet.providers[0]!;
    const bid = await eventually(
      async () => (await chain.bids(dseq)).find((b) => b.provider === provider.address && b.state === "open"),
      "a bid from provider-0",
    );
    lease = { dseq, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider };
    await chain.createLease({ key: `lease-${dseq}`, bid: lease });
    hostUri = (await chain.provider(provider.address))!.hostUri;
    await gateway.sendManifest({ lease, hostUri, manifestJson });
  });

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("reads the lease status, answers null for a lease the provider does not hold, and probes /status", async () => {
    const { gateway } = agent.akash;
    const status = await eventually(async () => {
      const s = await gateway.leaseStatus({ lease, hostUri });
      return s?.services.every((x) => x.ready === x.total) ? s : undefined;
    }, "the web service to be ready");
    expect(status.services).toEqual([
      { name: "web", total: 1, ready: 1, uris: [expect.stringMatching(/ingress/)] },
    ]);
    expect(await gateway.leaseStatus({ lease: { ...lease, oseq: lease.oseq + 7 }, hostUri })).toBeNull();
    const probe = await gateway.probe({ provider: lease.provider, hostUri, timeoutMs: 2_000 });
    expect(probe.ok).toBe(true);
    expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("refuses a gateway whose TLS certificate is not the provider's on-chain certificate, before sending anything", async () => {
    const { gateway } = agent.akash;
    // Same subject and address as the real provider, another key: the kind of server a hijacked host URI gives.
    const impostor = generateProviderCertificate(lease.provider, "127.0.0.1");
    let requestsSeen = 0;
    const server: Server = createServer(
      { cert: impostor.certPem, key: impostor.privateKeyPem },
      (_req, res) => {
        requestsSeen += 1;
        res
          .writeHead(200, { "content-type": "application/json" })
          .end('{"services":{},"forwarded_ports":null}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const fakeUri = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const manifest = await failure(gateway.sendManifest({ lease, hostUri: fakeUri, manifestJson }));
      expect(manifest.kind).toBe("provider");
      expect(manifest.message).toMatch(/not provider akash1\w+'s on-chain certificate/);
      expect(await kindOf(gateway.leaseStatus({ lease, hostUri: fakeUri }))).toBe("provider");
      expect((await gateway.probe({ provider: lease.provider, hostUri: fakeUri, timeoutMs: 2_000 })).ok).toBe(
        false,
      );
      expect(requestsSeen).toBe(0);

      // Another provider's real gateway, with its own on-chain certificate, is not this provider's either.
      const other = devnet.providers[1]!;
      expect(await kindOf(gateway.leaseStatus({ lease, hostUri: other.hostUri }))).toBe("provider");
      expect(
        (await gateway.probe({ provider: other.address, hostUri: other.hostUri, timeoutMs: 2_000 })).ok,
      ).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("makes a new token once when a gateway answers 401, and reports a 401 that persists as provider", async () => {
    // A gateway of our own, run by an account that publishes its certificate on chain like a provider.
    const operator = await createTenant(devnet);
    const certificate = generateProviderCertificate(operator.address, "127.0.0.1");
    await operator.sdk.akash.cert.v1.createCertificate({
      owner: operator.address,
      cert: new TextEncoder().encode(certificate.certPem),
      pubkey: new TextEncoder().encode(certificate.publicKeyPem),
    });
    const answers: number[] = [];
    const authorizations: string[] = [];
    const server = createServer({ cert: certificate.certPem, key: certificate.privateKeyPem }, (req, res) => {
      authorizations.push(req.headers.authorization ?? "");
      const status = answers.shift() ?? 500;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        status === 200
          ? '{"services":{"web":{"name":"web","total":1,"available":1,"uris":null}}}'
          : '{"message":"JWT is invalid"}',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const ownUri = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    const ownLease: LeaseKey = { ...lease, provider: operator.address };
    try {
      answers.push(401, 200);
      expect(await agent.akash.gateway.leaseStatus({ lease: ownLease, hostUri: ownUri })).toEqual({
        services: [{ name: "web", total: 1, ready: 1, uris: [] }],
        forwardedPorts: [],
      });
      expect(authorizations).toHaveLength(2);
      expect(authorizations.every((a) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(a))).toBe(true);

      answers.push(401, 401, 200);
      const persistent = await failure(agent.akash.gateway.leaseStatus({ lease: ownLease, hostUri: ownUri }));
      expect(persistent.kind).toBe("provider");
      expect(persistent.message).toMatch(/HTTP 401: \{"message":"JWT is invalid"\}/);
      expect(authorizations).toHaveLength(4);
    } finally {
      await operator.tx.disconnect();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("reports a token the wallet cannot make (the clock far ahead) as fatal", async () => {
    await agent.restart({ ...FAST, now: () => Date.now() + 3 * 3600_000 });
    const error = await failure(agent.akash.gateway.leaseStatus({ lease, hostUri }));
    expect(error.kind).toBe("fatal");
    expect(error.message).toMatch(/provider token/);
    await agent.restart();
  });

  it("reports a rejected manifest and a failing provider as provider, an offline one as retryable", async () => {
    const { gateway } = agent.akash;
    const other = await manifestOfSdl(tenantSdl({ image: "nginx:1.28" }));
    const rejected = await failure(
      gateway.sendManifest({ lease, hostUri, manifestJson: other.manifestJson }),
    );
    expect(rejected.kind).toBe("provider");
    expect(rejected.message).toMatch(/HTTP 422.*manifest version validation failed/);

    devnet.degradeProvider(lease.provider, { mode: "failing" });
    expect(await kindOf(gateway.leaseStatus({ lease, hostUri }))).toBe("provider");
    expect((await gateway.probe({ provider: lease.provider, hostUri, timeoutMs: 2_000 })).ok).toBe(false);
    devnet.degradeProvider(lease.provider, { mode: "slow", delayMs: 3_000 });
    expect((await gateway.probe({ provider: lease.provider, hostUri, timeoutMs: 200 })).ok).toBe(false);
    devnet.degradeProvider(lease.provider, { mode: "healthy" });

    await devnet.setProviderOnline(lease.provider, false);
    try {
      expect(await kindOf(gateway.leaseStatus({ lease, hostUri }))).toBe("retryable");
      expect(await kindOf(gateway.sendManifest({ lease, hostUri, manifestJson }))).toBe("retryable");
      expect((await gateway.probe({ provider: lease.provider, hostUri, timeoutMs: 2_000 })).ok).toBe(false);
    } finally {
      await devnet.setProviderOnline(lease.provider, true);
    }
    expect(await gateway.leaseStatus({ lease, hostUri })).not.toBeNull();
  });

  it("reads providers' uptime and audits from the Console API", async () => {
    const { directory } = agent.akash;
    const addresses = devnet.providers.map((p) => p.address);
    const unknown = `akash1${"x".repeat(38)}`;
    const providers = await directory.providers([...addresses, unknown, addresses[0]!]);
    expect(providers.map((p) => p.owner).sort()).toEqual([...addresses].sort());
    for (const info of devnet.providers) {
      const entry = providers.find((p) => p.owner === info.address)!;
      expect(entry.isAudited).toBe(info.audited);
      expect(entry.isOnline).toBe(true);
      expect(entry.hostUri).toBe(info.hostUri);
      expect(entry.uptime7d).toBeGreaterThan(0.9);
      expect(entry.attributes.find((a) => a.key === "location-region")?.value).toBe(info.region);
    }
    expect(await directory.providers([])).toEqual([]);
  });
});
