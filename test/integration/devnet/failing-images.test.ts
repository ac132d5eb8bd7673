import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSdlFactory } from "../../../src/actors/sdl-factory.js";
import type { AgentProcessInfo, DevnetHandle } from "../../../src/devnet/index.js";
import { imageRepository } from "../../../src/domain/index.js";
import { packageVersion } from "../../../src/runtime/agent-version.js";
import { AgentKeys, createKeystoreContents } from "../../../src/services/keys/index.js";
import { providerRequest } from "../../../support/provider-request.js";
import {
  agentProcessOptions,
  createTenant,
  DEFAULT_AGENT_IMAGE,
  startTestDevnet,
  type Tenant,
  waitFor,
} from "../../support/devnet.js";
import { type OpenLease, openLease } from "../../support/devnet-deployment.js";

const work = mkdtempSync(join(tmpdir(), "failing-images-"));
const repository = imageRepository(DEFAULT_AGENT_IMAGE);
const stable = `${repository}:0.1.0`;
const canary = `${repository}:0.2.0`;

interface ServiceStatus {
  available: number;
  ready_replicas: number;
}

/**
 * The devnet's image faults: every tag of the agent's repository runs as the agent's entry point and
 * is told its tag (AGENT_IMAGE_TAG); `images/fail` makes one exact image exit at start on every
 * provider (stopped, kept down, not ready, port closed) while other tags run on; `images/heal` starts
 * it again.
 */
describe("the devnet's image tags and failing images", { timeout: 120_000 }, () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let keys: AgentKeys;

  const control = async (path: string, body: string) => {
    const response = await fetch(`${devnet.control}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const processOf = (lease: OpenLease): AgentProcessInfo | undefined =>
    devnet.agentProcesses().find((p) => p.dseq === lease.dseq);
  const running = (lease: OpenLease) =>
    waitFor(
      () => {
        const found = processOf(lease);
        return found?.pid ? found : undefined;
      },
      20_000,
      `the agent process of ${lease.dseq}`,
    );
  const serviceStatus = async (lease: OpenLease): Promise<ServiceStatus> => {
    const response = await providerRequest(lease.hostUri, `/lease/${lease.dseq}/1/1/status`, {
      caPem: lease.caPem,
      token: lease.token,
    });
    return (JSON.parse(response.body) as { services: Record<string, ServiceStatus> }).services[
      "agent-relay"
    ]!;
  };
  const statusOf = async (info: AgentProcessInfo) =>
    (await (await fetch(`http://127.0.0.1:${info.env.AGENT_HTTP_PORT}/api/status`)).json()) as {
      state: string;
      version: { package: string; image: string };
    };
  const until = <T>(probe: () => Promise<T | undefined>, what: string) => waitFor(probe, 20_000, what);
  const refused = async (info: AgentProcessInfo) => {
    try {
      await fetch(`http://127.0.0.1:${info.env.AGENT_HTTP_PORT}/healthz`);
      return false;
    } catch (error) {
      return ((error as Error).cause as { code?: string } | undefined)?.code === "ECONNREFUSED";
    }
  };
  const deploy = (image: string) => {
    const sdl = createSdlFactory({
      keys,
      identity: {
        agentId: keys.identity.agentId,
        akashAddress: keys.identity.akash,
        nostrPubkey: keys.identity.nostrPubkey,
        relayName: "relay",
        relayDomain: "relay.example.com",
        network: "devnet",
        chainId: devnet.chainId,
        role: "root",
      },
      image,
      profile: "relay",
      budget: { targetUsdPerDay: 5, actUsd: 1 },
      devnetUrl: devnet.control,
    });
    const resources = { cpuUnits: 2, memoryGi: 4, storageGi: 100 };
    return openLease(tenant, (dseq) => sdl.deployable(resources, dseq).yamlWithSecrets());
  };

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 1,
      ...agentProcessOptions(join(work, "logs"), join(work, "volumes")),
    });
    tenant = await createTenant(devnet);
    await devnet.fund(tenant.address, 50_000_000n, "uact");
    keys = AgentKeys.fromContents(await createKeystoreContents({ now: new Date(0), arweaveJwk: null }));
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await devnet?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("tells each agent process its image's tag, which the agent reports as its version's image", async () => {
    const [old, next] = [await deploy(stable), await deploy(canary)];
    const [oldProcess, nextProcess] = [await running(old), await running(next)];
    expect(oldProcess.env.AGENT_IMAGE_TAG).toBe("0.1.0");
    expect(nextProcess.env.AGENT_IMAGE_TAG).toBe("0.2.0");
    // The same entry point for both tags; the deployed instance, awaiting activation, says which it is.
    expect(nextProcess.command).toEqual(oldProcess.command);
    const status = await until(() => statusOf(nextProcess).catch(() => undefined), "the canary's status");
    expect(status).toMatchObject({
      state: "awaiting_activation",
      version: { package: packageVersion(), image: canary },
    });
    // Each process answers once it has started, whichever lease was opened first.
    const oldStatus = await until(
      () => statusOf(oldProcess).catch(() => undefined),
      "the stable tag's status",
    );
    expect(oldStatus.version.image).toBe(stable);
  });

  it("images/fail stops every process of that exact image and keeps it down; another tag runs on; heal brings it back", async () => {
    const old = await deploy(stable);
    const next = await deploy(canary);
    await running(old);
    const before = await running(next);
    await until(
      async () => ((await serviceStatus(next)).available === 1 ? true : undefined),
      "the canary to be ready",
    );

    const canaries = () => devnet.agentProcesses().filter((p) => p.env.AGENT_IMAGE_TAG === "0.2.0");
    const failed = await control("/images/fail", JSON.stringify({ image: canary }));
    expect(failed.status).toBe(200);
    expect(failed.json).toEqual({ ok: true, image: canary, processes: canaries().length, failing: [canary] });
    expect(canaries().every((p) => p.pid === null)).toBe(true);

    // The route answered once the processes had exited: down, not ready, the port closed.
    expect(processOf(next)).toMatchObject({ pid: null, restarts: before.restarts });
    expect(await refused(before)).toBe(true);
    expect(await serviceStatus(next)).toMatchObject({ available: 0, ready_replicas: 0 });
    // Another tag of the same repository is untouched.
    const oldStatus = await until(
      async () => ((await serviceStatus(old)).available === 1 ? serviceStatus(old) : undefined),
      "the stable tag to stay ready",
    );
    expect(oldStatus.available).toBe(1);
    expect(processOf(old)?.pid).not.toBeNull();
    expect(
      ((await (await fetch(`${devnet.control}/status`)).json()) as { failingImages: string[] }).failingImages,
    ).toEqual([canary]);

    // A new workload of the failing image starts no process either (a lease opened meanwhile).
    const later = await deploy(canary);
    const laterInfo = await until(async () => processOf(later), "the provider to take the later lease");
    expect(laterInfo.pid).toBeNull();
    expect(await serviceStatus(later)).toMatchObject({ available: 0 });
    // All that time (a lease opened in between), the failed canary stayed down.
    expect(processOf(next)).toMatchObject({ pid: null, restarts: before.restarts });

    const healed = await control("/images/heal", JSON.stringify({ image: canary }));
    expect(healed.json).toEqual({ ok: true, image: canary, processes: canaries().length, failing: [] });
    const back = await running(next);
    expect(back.restarts).toBe(before.restarts + 1);
    const laterBack = await running(later);
    expect(laterBack.restarts).toBe(0);
    await until(
      async () => ((await serviceStatus(next)).available === 1 ? true : undefined),
      "the healed canary to be ready",
    );
    const status = await until(() => statusOf(back).catch(() => undefined), "the healed canary's status");
    expect(status.version.image).toBe(canary);
  });

  it("refuses a bad body with 400 naming the field", async () => {
    for (const path of ["/images/fail", "/images/heal"]) {
      const missing = await control(path, "{}");
      expect(missing.status).toBe(400);
      expect(missing.json.error).toMatch(/^image: /);
      const untagged = await control(path, JSON.stringify({ image: repository }));
      expect(untagged.status).toBe(400);
      expect(untagged.json.error).toMatch(/^image: give the image with its tag, repository:tag/);
      const wrongType = await control(path, JSON.stringify({ image: 7 }));
      expect(wrongType.status).toBe(400);
      expect(wrongType.json.error).toMatch(/^image: /);
      const notJson = await control(path, "image=x");
      expect(notJson).toEqual({ status: 400, json: { error: "body must be JSON" } });
    }
    expect(devnet.failingImages.list()).toEqual([]);
  });
});
