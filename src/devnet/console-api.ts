import type { IncomingMessage, ServerResponse } from "node:http";
import type { Chain } from "./chain/chain.js";
import { LeaseState } from "./chain/modules/market-keeper.js";
import { LoopbackHttpServer, sendJson, sendText } from "./http-utils.js";
import { type NetworkFaults, sleep } from "./network-faults.js";
import type { ProviderNode } from "./provider/provider-node.js";

const CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=120";

/**
 * The Akash Console API's provider list/detail shapes (`GET /v1/providers`, `GET /v1/providers/{address}`),
 * built from on-chain provider records, audits and each simulated provider's observed availability.
 */
export class ConsoleApi {
  private readonly http = new LoopbackHttpServer((req, res) => this.handle(req, res));
  private readonly chain: Chain;
  private readonly providers: () => readonly ProviderNode[];
  private readonly auditors: readonly string[];
  private readonly faults: NetworkFaults;

  constructor(
    chain: Chain,
    providers: () => readonly ProviderNode[],
    auditors: readonly string[],
    faults: NetworkFaults,
  ) {
    this.chain = chain;
    this.providers = providers;
    this.auditors = auditors;
    this.faults = faults;
  }

  start(port = 0): Promise<string> {
    return this.http.start(port);
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = this.faults.take("console");
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.fail) {
      sendText(res, 503, "Service Unavailable");
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET") {
      sendText(res, 405, "Method Not Allowed");
      return;
    }
    res.setHeader("cache-control", CACHE_CONTROL);
    if (url.pathname === "/v1/providers") {
      const filter = url.searchParams.get("addresses")?.split(",").filter(Boolean);
      const list = [...this.chain.state.providers.keys()]
        .filter((a) => !filter || filter.includes(a))
        .map((a) => this.providerJson(a, false));
      sendJson(res, 200, list);
      return;
    }
    const match = /^\/v1\/providers\/([^/]*)$/.exec(url.pathname);
    if (match) {
      const address = decodeURIComponent(match[1]!);
      if (!address) {
        sendText(res, 400, "Address is undefined.");
        return;
      }
      if (!this.chain.state.providers.has(address)) {
        sendText(res, 404, "Provider not found.");
        return;
      }
      sendJson(res, 200, this.providerJson(address, true));
      return;
    }
    sendText(res, 404, "Not Found");
  }

  private providerJson(address: string, detail: boolean) {
    const record = this.chain.state.providers.get(address)!;
    const node = this.providers().find((p) => p.address === address);
    const audits = [...this.chain.state.audits.values()].filter((a) => a.owner === address);
    const attributes = record.attributes.map((a) => ({
      key: a.key,
      value: a.value,
      auditedBy: audits
        .filter((x) => x.attributes.some((y) => y.key === a.key && y.value === a.value))
        .map((x) => x.auditor),
    }));
    const attr = (key: string) => record.attributes.find((a) => a.key === key)?.value ?? null;
    const online = node ? node.online : false;
    const uptimeBase = node ? node.profile.uptime * node.observedOnlineFraction() : 0;
    const uptime = (value: number) => (detail ? value : value === 0 ? null : value);
    const leases = [...this.chain.state.leases.values()].filter((l) => l.provider === address);
    const now = new Date().toISOString();
    const hostUri = record.hostUri;
    return {
      owner: address,
      name: online ? new URL(hostUri).hostname : null,
      hostUri,
      createdHeight: 1,
      email: record.email || null,
      website: record.website || null,
      lastCheckDate: now,
      deploymentCount: new Set(leases.map((l) => `${l.owner}/${l.dseq}`)).size,
      leaseCount: leases.filter((l) => l.state === LeaseState.active || l.state === LeaseState.reclaiming)
        .length,
      cosmosSdkVersion: "v0.53.7",
      akashVersion: "v0.10.0-devnet",
      ipRegion: null,
      ipRegionCode: null,
      ipCountry: attr("country"),
      ipCountryCode: attr("country"),
      ipLat: null,
      ipLon: null,
      stats: node
        ? {
            cpu: {
              active: 0,
              available: node.profile.capacity.cpuMilli,
              pending: 0,
              total: node.profile.capacity.cpuMilli,
            },
            gpu: { active: 0, available: 0, pending: 0, total: 0 },
            memory: {
              active: 0,
              available: node.profile.capacity.memoryBytes,
              pending: 0,
              total: node.profile.capacity.memoryBytes,
            },
            storage: {
              ephemeral: {
                active: 0,
                available: node.profile.capacity.storageBytes,
                pending: 0,
                total: node.profile.capacity.storageBytes,
              },
              persistent: { active: 0, available: 0, pending: 0, total: 0 },
              total: {
                active: 0,
                available: node.profile.capacity.storageBytes,
                pending: 0,
                total: node.profile.capacity.storageBytes,
              },
            },
          }
        : null,
      gpuModels: [],
      uptime1d: uptime(uptimeBase),
      uptime7d: uptime(node ? node.profile.uptime : 0),
      uptime30d: uptime(node ? node.profile.uptime : 0),
      isValidVersion: true,
      isOnline: online,
      lastOnlineDate: node ? new Date(node.lastOnlineMs()).toISOString() : null,
      isAudited: audits.some((a) => this.auditors.includes(a.auditor)),
      attributes,
      host: attr("host"),
      organization: attr("organization"),
      statusPage: null,
      locationRegion: attr("location-region"),
      country: attr("country"),
      city: null,
      timezone: null,
      locationType: "datacenter",
      hostingProvider: null,
      hardwareCpu: null,
      hardwareCpuArch: null,
      hardwareGpuVendor: null,
      hardwareGpuModels: detail ? [] : null,
      hardwareDisk: detail ? [] : null,
      featPersistentStorage: attr("feat-persistent-storage") === "true",
      featPersistentStorageType: detail ? [] : null,
      hardwareMemory: null,
      networkProvider: null,
      networkSpeedDown: 0,
      networkSpeedUp: 0,
      tier: attr("tier"),
      featEndpointCustomDomain: false,
      workloadSupportChia: false,
      workloadSupportChiaCapabilities: null,
      featEndpointIp: false,
      ...(detail ? { uptime: [{ id: `${address}-now`, isOnline: online, checkDate: now }] } : {}),
    };
  }
}
