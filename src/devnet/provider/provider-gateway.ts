import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { Chain } from "../chain/chain.js";
import { deploymentKey } from "../chain/chain-state.js";
import { decodeGroupSpec } from "../chain/modules/group-spec.js";
import { LeaseState } from "../chain/modules/market-keeper.js";
import {
  ConnectionTracker,
  closeServer,
  LOOPBACK,
  listen,
  readBody,
  sendJson,
  sendText,
} from "../http-utils.js";
import { sleep } from "../network-faults.js";
import { type FaultableRoute, gatewayFaultAnswer } from "./gateway-faults.js";
import { grantsScope, type LeaseScope, verifyJwt } from "./jwt-auth.js";
import { manifestSchema } from "./manifest-services.js";
import { manifestVersion } from "./manifest-version.js";
import { leaseRefKey, type ProviderNode } from "./provider-node.js";

const JSON_UTF8 = "application/json; charset=UTF-8";
const PROVIDER_VERSION = "v0.10.0-devnet";

/**
 * The provider gateway (akash provider `gateway/rest`) over HTTPS with the provider's own certificate:
 * `/version`, `/address`, `/status`, `PUT /deployment/{dseq}/manifest`, `GET /lease/{dseq}/{gseq}/{oseq}/status`,
 * `.../manifest` and `.../service/{name}/status`, with AEP-64 JWT auth checked against on-chain keys.
 */
export class ProviderGateway {
  private server: Server | undefined;
  private readonly tracker = new ConnectionTracker();
  private readonly node: ProviderNode;
  private readonly chain: Chain;
  private port = 0;

  constructor(node: ProviderNode, chain: Chain) {
    this.node = node;
    this.chain = chain;
  }

  private create(): Server {
    const server = createServer(
      {
        cert: this.node.certificate.certPem,
        key: this.node.certificate.privateKeyPem,
        minVersion: "TLSv1.3",
      },
      (req, res) => {
        void this.handle(req, res).catch(() => {
          if (!res.headersSent) sendText(res, 500, "internal server error\n");
        });
      },
    );
    this.tracker.track(server);
    return server;
  }

  /** Binds (first call picks a free port; later calls rebind the same port after being offline). */
  async start(): Promise<string> {
    this.server = this.create();
    this.port = await listen(this.server, this.port);
    return `https://${LOOPBACK}:${this.port}`;
  }

  /** Stops accepting connections (provider offline): clients get ECONNREFUSED. */
  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    await closeServer(server, this.tracker);
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  private authenticate(
    req: IncomingMessage,
    res: ServerResponse,
    scope: LeaseScope,
    dseq?: bigint,
  ): string | undefined {
    const result = verifyJwt(
      req.headers.authorization,
      (address) => this.chain.state.accounts.get(address)?.pubKey,
      Math.floor(Date.now() / 1000),
    );
    if (!result.ok) {
      sendJson(res, result.status, { message: result.message }, JSON_UTF8);
      return undefined;
    }
    if (!grantsScope(result.leases, this.node.address, scope, dseq)) {
      sendJson(res, 401, { message: "unauthorized access" }, JSON_UTF8);
      return undefined;
    }
    return result.owner;
  }

  /** Answers `route` as the provider's gateway fault says, if it has one that touches it. */
  private answeredFault(res: ServerResponse, route: FaultableRoute): boolean {
    const answer = gatewayFaultAnswer(this.node.health, route);
    if (!answer) return false;
    res.writeHead(answer.status, { "content-type": answer.contentType }).end(answer.body);
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const health = this.node.health;
    if (health.mode === "slow") await sleep(health.delayMs);
    const url = new URL(req.url ?? "/", "https://localhost");
    const parts = url.pathname.split("/").filter(Boolean);
    const method = req.method ?? "GET";

    if (method === "GET" && url.pathname === "/version") {
      sendJson(
        res,
        200,
        {
          akash: {
            name: "provider-services",
            server_name: "provider-services",
            version: PROVIDER_VERSION,
            commit: "devnet",
            build_tags: "",
            go: "go version go1.24 linux/amd64",
            build_deps: [],
            cosmos_sdk_version: "v0.53.7",
          },
          kube: {
            major: "1",
            minor: "30",
            gitVersion: "v1.30.0",
            gitCommit: "devnet",
            gitTreeState: "clean",
            buildDate: "2026-01-01T00:00:00Z",
            goVersion: "go1.24",
            compiler: "gc",
            platform: "linux/amd64",
          },
        },
        JSON_UTF8,
      );
      return;
    }
    if (method === "GET" && url.pathname === "/address") {
      sendJson(res, 200, { address: this.node.address }, JSON_UTF8);
      return;
    }
    if (method === "GET" && url.pathname === "/status") {
      if (this.answeredFault(res, "status")) return;
      if (health.mode === "failing") {
        sendText(res, 503, "cluster unavailable\n");
        return;
      }
      sendJson(res, 200, this.statusBody(), JSON_UTF8);
      return;
    }
    if (method === "PUT" && parts.length === 3 && parts[0] === "deployment" && parts[2] === "manifest") {
      await this.putManifest(req, res, parts[1]!);
      return;
    }
    if (method === "GET" && parts[0] === "lease" && parts.length >= 5) {
      const [, dseqText, gseqText, oseqText, ...rest] = parts;
      if (![dseqText, gseqText, oseqText].every((p) => /^\d+$/.test(p ?? ""))) {
        sendText(res, 400, "invalid lease id\n");
        return;
      }
      const dseq = BigInt(dseqText!);
      const sub = rest.join("/");
      const scope: LeaseScope = sub === "manifest" ? "get-manifest" : "status";
      const owner = this.authenticate(req, res, scope, dseq);
      if (!owner) return;
      const tracked = this.node.leases.get(
        leaseRefKey({ owner, dseq, gseq: Number(gseqText), oseq: Number(oseqText) }),
      );
      if (!tracked?.manifest || !tracked.workload) {
        res.writeHead(404).end();
        return;
      }
      if (sub === "status") {
        if (this.answeredFault(res, "lease-status")) return;
        if (health.mode === "failing") {
          sendText(res, 500, "kube: lease status unavailable\n");
          return;
        }
        sendJson(res, 200, tracked.workload.status(), JSON_UTF8);
        return;
      }
      if (sub === "manifest") {
        sendJson(res, 200, [tracked.manifest], JSON_UTF8);
        return;
      }
      const serviceMatch = /^service\/([^/]+)\/status$/.exec(sub);
      if (serviceMatch) {
        if (this.answeredFault(res, "service-status")) return;
        const service = tracked.workload.status().services[serviceMatch[1]!];
        if (!service) {
          sendText(res, 404, "service not found\n");
          return;
        }
        sendJson(res, 200, service, JSON_UTF8);
        return;
      }
    }
    sendText(res, 404, "404 page not found\n");
  }

  private async putManifest(req: IncomingMessage, res: ServerResponse, dseqText: string): Promise<void> {
    if (!/^\d+$/.test(dseqText)) {
      sendText(res, 400, "invalid dseq\n");
      return;
    }
    const dseq = BigInt(dseqText);
    const owner = this.authenticate(req, res, "send-manifest", dseq);
    if (!owner) return;
    if (this.answeredFault(res, "manifest-put")) return;
    const body = (await readBody(req)).toString("utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      sendText(res, 422, `${(error as Error).message}\n`);
      return;
    }
    const manifest = manifestSchema.safeParse(parsed);
    if (!manifest.success) {
      sendText(res, 422, "invalid manifest\n");
      return;
    }
    const leases = [...this.chain.state.leases.values()].filter(
      (l) =>
        l.owner === owner &&
        l.dseq === dseq &&
        l.provider === this.node.address &&
        (l.state === LeaseState.active || l.state === LeaseState.reclaiming),
    );
    if (leases.length === 0) {
      sendText(res, 404, "no lease for deployment\n");
      return;
    }
    const deployment = this.chain.state.deployments.get(deploymentKey(owner, dseq));
    if (!deployment || !Buffer.from(manifestVersion(parsed)).equals(Buffer.from(deployment.hash))) {
      sendText(res, 422, "manifest version validation failed\n");
      return;
    }
    for (const lease of leases) {
      const group = this.chain.state.groups.get(`${owner}/${dseq}/${lease.gseq}`);
      const spec = group ? decodeGroupSpec(group.spec) : undefined;
      const manifestGroup = manifest.data.find((g) => g.name === spec?.name);
      if (!manifestGroup) {
        sendText(res, 422, `manifest cross-validation failed: no group ${spec?.name ?? ""}\n`);
        return;
      }
      let tracked = this.node.leases.get(leaseRefKey(lease));
      if (!tracked) {
        tracked = {
          ref: { owner, dseq, gseq: lease.gseq, oseq: lease.oseq, provider: this.node.address },
          createdAtMs: Date.now(),
        };
        this.node.leases.set(leaseRefKey(lease), tracked);
      }
      await this.node.acceptManifest(tracked, manifestGroup, LOOPBACK);
    }
    res.writeHead(200).end();
  }

  private statusBody() {
    const active = [...this.node.leases.values()].filter((l) => l.workload);
    return {
      cluster: {
        leases: active.length,
        inventory: {
          available: {
            nodes: [
              {
                name: `${this.node.profile.name}-node-0`,
                allocatable: {
                  cpu: this.node.profile.capacity.cpuMilli,
                  gpu: 0,
                  memory: this.node.profile.capacity.memoryBytes,
                  storage_ephemeral: this.node.profile.capacity.storageBytes,
                },
              },
            ],
          },
        },
      },
      bidengine: { orders: 0 },
      manifest: { deployments: active.length },
      cluster_public_hostname: LOOPBACK,
      address: this.node.address,
    };
  }
}
