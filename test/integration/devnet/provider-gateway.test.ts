import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JwtTokenManager } from "@akashnetwork/chain-sdk";
import { makeCosmoshubPath } from "@cosmjs/amino";
import { Bip39, EnglishMnemonic, Slip10, Slip10Curve } from "@cosmjs/crypto";
import { toBase64 } from "@cosmjs/encoding";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { providerRequest } from "../../../support/provider-request.js";
import { createTenant, startTestDevnet, type Tenant, waitFor } from "../../support/devnet.js";
import { createDeployment, openLease, waitForBids } from "../../support/devnet-deployment.js";

const AGENT_IMAGE = "ghcr.io/akash-agent/agent:0.1.0";
const echoAgent = fileURLToPath(new URL("./fixtures/echo-agent.mjs", import.meta.url));
const logDir = mkdtempSync(join(tmpdir(), "devnet-agent-logs-"));

describe("devnet provider gateway: auth, manifest checks, agent process", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let stranger: Tenant;
  let auditor: string;

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 2,
      agentImage: AGENT_IMAGE,
      agentCommand: [process.execPath, echoAgent],
      agentLogDir: logDir,
    });
    tenant = await createTenant(devnet);
    stranger = await createTenant(devnet);
    await devnet.fund(tenant.address, 50_000_000n, "uact");
    // The stranger sends one tx so that its public key is on chain (JWT issuers need one).
    await stranger.sdk.cosmos.bank.v1beta1.send({
      fromAddress: stranger.address,
      toAddress: tenant.address,
      amount: [{ denom: "uakt", amount: "1" }],
    });
    auditor = (await tenant.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await stranger?.tx.disconnect();
    await devnet?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it("answers 401/400 without valid credentials and 404 for another owner's lease", async () => {
    const lease = await openLease(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    const path = `/lease/${lease.dseq}/1/1/status`;
    const none = await providerRequest(lease.hostUri, path, { caPem: lease.caPem });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toEqual({ message: "unauthorized access" });

    const [header, payload, signature] = lease.token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as { exp: number };
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1 })).toString("base64url")}.${signature}`;
    const bad = await providerRequest(lease.hostUri, path, { caPem: lease.caPem, token: forged });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toEqual({ message: "JWT is invalid" });

    const strangerToken = await new JwtTokenManager(stranger.aminoWallet).generateToken({
      version: "v1",
      iss: stranger.address,
    });
    const other = await providerRequest(lease.hostUri, path, { caPem: lease.caPem, token: strangerToken });
    expect(other.status).toBe(404);

    const statusOnly = await new JwtTokenManager(tenant.aminoWallet).generateToken({
      version: "v1",
      iss: tenant.address,
      leases: { access: "scoped", scope: ["status"] },
    });
    const putScoped = await providerRequest(lease.hostUri, `/deployment/${lease.dseq}/manifest`, {
      method: "PUT",
      caPem: lease.caPem,
      token: statusOnly,
      body: lease.sdl.manifestSortedJSON(),
    });
    expect(putScoped.status).toBe(401);
    expect(
      (await providerRequest(lease.hostUri, path, { caPem: lease.caPem, token: statusOnly })).status,
    ).toBe(200);
  });

  it("accepts ES256K tokens signed over the raw JWT and reports expired ones", async () => {
    const lease = await openLease(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(tenant.mnemonic));
    const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, makeCosmoshubPath(0));
    const signArbitrary = async (_signer: string, data: string | Uint8Array) => {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      const signature = secp256k1.sign(sha256(bytes), privkey, { prehash: false });
      return { pub_key: { type: "tendermint/PubKeySecp256k1", value: "" }, signature: toBase64(signature) };
    };
    const es256k = await new JwtTokenManager({ algorithm: "ES256K", signArbitrary }).generateToken({
      version: "v1",
      iss: tenant.address,
    });
    const path = `/lease/${lease.dseq}/1/1/status`;
    expect((await providerRequest(lease.hostUri, path, { caPem: lease.caPem, token: es256k })).status).toBe(
      200,
    );

    const now = Math.floor(Date.now() / 1000);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${encode({ alg: "ES256K", typ: "JWT" })}.${encode({
      exp: now - 60,
      iat: now - 120,
      iss: tenant.address,
      leases: { access: "full" },
      nbf: now - 120,
      version: "v1",
    })}`;
    const { signature } = await signArbitrary(tenant.address, unsigned);
    const expired = `${unsigned}.${Buffer.from(signature, "base64").toString("base64url")}`;
    const answer = await providerRequest(lease.hostUri, path, { caPem: lease.caPem, token: expired });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ message: "JWT is expired" });
  });

  it("rejects a manifest whose version is not the deployment's hash, and one for a deployment it has no lease for", async () => {
    const lease = await openLease(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    const { SDL } = await import("@akashnetwork/chain-sdk");
    const changed = SDL.fromString(tenantSdl({ auditor, image: "nginx:1.28" }), "beta3");
    const mismatch = await providerRequest(lease.hostUri, `/deployment/${lease.dseq}/manifest`, {
      method: "PUT",
      caPem: lease.caPem,
      token: lease.token,
      body: changed.manifestSortedJSON(),
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body).toBe("manifest version validation failed\n");

    const { dseq } = await createDeployment(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    const noLease = await providerRequest(lease.hostUri, `/deployment/${dseq}/manifest`, {
      method: "PUT",
      caPem: lease.caPem,
      token: lease.token,
      body: lease.sdl.manifestSortedJSON(),
    });
    expect(noLease.status).toBe(404);
    expect(noLease.body).toBe("no lease for deployment\n");
  });

  it("runs the agent's own image as a local process with the manifest env and a mapped port", async () => {
    const lease = await openLease(
      tenant,
      tenantSdl({ auditor, image: AGENT_IMAGE, env: ["GREETING=hello from the manifest"] }),
    );
    const status = await waitFor(
      async () => {
        const r = await providerRequest(lease.hostUri, `/lease/${lease.dseq}/1/1/status`, {
          caPem: lease.caPem,
          token: lease.token,
        });
        const body = JSON.parse(r.body) as {
          services: Record<string, { ready_replicas: number; uris: string[] | null }>;
        };
        return body.services.web?.ready_replicas === 1 ? body : undefined;
      },
      10_000,
      "the agent process to be ready",
    );
    const uri = status.services.web!.uris![0]!;
    expect(uri).toMatch(/^127\.0\.0\.1:\d+$/);
    const served = (await (await fetch(`http://${uri}/`)).json()) as Record<string, string>;
    expect(served).toEqual({ greeting: "hello from the manifest", owner: tenant.address, dseq: lease.dseq });
    const log = readFileSync(join(logDir, `${tenant.address}-${lease.dseq}-web.log`), "utf8");
    expect(log).toBe(`echo-agent listening on ${uri.split(":")[1]}\n`);

    await tenant.sdk.akash.market.v1beta5.closeLease({ id: lease.bidId, reason: 1 });
    await waitFor(
      async () => {
        try {
          await fetch(`http://${uri}/`);
          return undefined;
        } catch {
          return true;
        }
      },
      10_000,
      "the agent process to stop with its lease",
    );
  });
});

describe("devnet provider timeouts", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 2, manifestTimeoutMs: 400, bidTimeoutMs: 800 });
    tenant = await createTenant(devnet);
    await devnet.fund(tenant.address, 20_000_000n, "uact");
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await devnet?.stop();
  });

  it("drops a lease whose manifest never arrives, and closes bids that were never accepted", async () => {
    const auditor = (await tenant.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
    const { dseq } = await createDeployment(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    const [bid] = await waitForBids(tenant, dseq, 2);
    await tenant.sdk.akash.market.v1beta5.createLease({ bidId: bid!.id! });
    const dropped = await waitFor(
      async () => {
        const r = await tenant.sdk.akash.market.v1beta5.getLease({ id: bid!.id! });
        return r.lease!.state === 3 ? r.lease! : undefined;
      },
      10_000,
      "the manifest timeout",
    );
    expect(dropped.reason).toBe(10003);

    const other = await createDeployment(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    await waitForBids(tenant, other.dseq, 1);
    await waitFor(
      async () => {
        const r = await tenant.sdk.akash.market.v1beta5.getBids({
          filters: { owner: tenant.address, dseq: other.dseq, state: "closed" },
        });
        return r.bids.length >= 1 ? true : undefined;
      },
      10_000,
      "the bid timeout",
    );
  });
});
