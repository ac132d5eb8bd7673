import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { createHealthActors } from "../../../src/actors/health-actors.js";
import { ScriptedMetrics } from "../../../src/actors/metrics-source.js";
import { loadConfig } from "../../../src/config/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createLogger } from "../../../src/logging/index.js";
import type { HealthTarget } from "../../../src/machines/health/health.types.js";
import { actorSettingsFromConfig } from "../../../src/runtime/agent-settings.js";
import {
  createIngressResolver,
  type IngressResolver,
  manifestOfSdl,
} from "../../../src/services/akash/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { startTestDevnet } from "../../support/devnet.js";
import { type AgentUnderTest, eventually, startAgent } from "./akash-test-kit.js";

describe("ingress DNS checks against the devnet's DNS server", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;
  let target: HealthTarget;
  let host: string;
  let resolver: IngressResolver;
  let silent: Socket;

  const checkHealth = (services: AgentServices) =>
    toPromise(createActor(createHealthActors(services).checkHealth, { input: { target } }).start());

  const agentServices = (ingress: IngressResolver | undefined): AgentServices =>
    ({
      chain: agent.akash.chain,
      gateway: agent.akash.gateway,
      directory: agent.akash.directory,
      store: agent.store,
      metrics: new ScriptedMetrics(),
      logger: createLogger({ level: "silent", json: true }),
      settings: actorSettingsFromConfig(loadConfig({ env: {} }), { blockSeconds: 0.1 }),
      now: Date.now,
      ...(ingress ? { ingress } : {}),
    }) as unknown as AgentServices;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
    resolver = createIngressResolver({ servers: [devnet.dns!], timeoutMs: 2_000 });
    agent = await startAgent(devnet, { uakt: 50_000_000n, uact: 20_000_000n });
    const { chain, gateway } = agent.akash;
    const dseq = String(devnet.height());
    const yaml = tenantSdl({ image: "nginx:1.27" });
    const manifest = await manifestOfSdl(yaml);
    await chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: yaml,
      manifestVersion: manifest.manifestVersion,
      depositUact: "1000000",
    });
    const bid = await eventually(
      async () => (await chain.bids(dseq)).find((b) => b.state === "open"),
      "a bid",
    );
    const lease = { dseq, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider };
    await chain.createLease({ key: `lease-${dseq}`, bid: lease });
    const hostUri = (await chain.provider(bid.provider))!.hostUri;
    await gateway.sendManifest({ lease, hostUri, manifestJson: manifest.manifestJson });
    const status = await eventually(async () => {
      const s = await gateway.leaseStatus({ lease, hostUri });
      return s?.services.every((x) => x.total > 0 && x.ready === x.total) ? s : undefined;
    }, "the web service to be ready");
    const uris = status.services.flatMap((s) => s.uris);
    host = uris[0]!;
    target = { ...lease, hostUri, uris };
    // A DNS server that never answers: what an unreachable resolver looks like.
    silent = createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    silent?.close();
    devnet?.dnsControl?.clearFaults();
    await agent?.close();
    await devnet?.stop();
  });

  it("the health check finds every ingress name resolving, then the provider's name missing under the fault", async () => {
    const services = agentServices(resolver);
    const before = await checkHealth(services);
    expect(host).toMatch(/\.ingress\..+\.devnet\.localhost$/);
    expect(before.ingress).toEqual({ unresolved: [] });
    expect(before.services).toEqual({ ready: 1, total: 1 });

    devnet.dnsControl!.failProvider(target.provider);
    try {
      const after = await checkHealth(services);
      expect(after.ingress).toEqual({ unresolved: [host] });
      // The provider itself still answers: only its DNS is broken.
      expect(after.provider.reachable).toBe(true);
    } finally {
      devnet.dnsControl!.clearFaults();
    }
    expect((await checkHealth(services)).ingress).toEqual({ unresolved: [] });
  });

  it("reports no ingress finding when there is no resolver, or no name among the URIs", async () => {
    expect((await checkHealth(agentServices(undefined))).ingress).toBeNull();
    expect(await resolver.unresolved(["127.0.0.1:31000", "http://localhost:8080", "[::1]:80"])).toBeNull();
  });

  it("counts only definite answers: REFUSED and a resolver that never answers are not misses", async () => {
    const unknown = host.replace(/^[0-9a-f]+/, "feed");
    expect(await resolver.unresolved([`http://${unknown}:80/health`, "example.com", host])).toEqual([
      unknown,
    ]);
    const port = silent.address().port;
    const deaf = createIngressResolver({ servers: [`127.0.0.1:${port}`], timeoutMs: 200 });
    expect(await deaf.unresolved([unknown])).toEqual([]);
  });
});
