import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { DevnetEndpoints, DevnetFaults } from "./devnet-types.js";
import { LoopbackHttpServer, readBody, sendJson } from "./http-utils.js";

const leaseSchema = z.object({
  owner: z.string(),
  dseq: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]),
  gseq: z.number().int().positive().optional(),
  oseq: z.number().int().positive().optional(),
  provider: z.string(),
});

const routes = {
  "POST /providers/offline": z.object({ provider: z.string() }),
  "POST /providers/online": z.object({ provider: z.string() }),
  "POST /providers/degrade": z.object({
    provider: z.string(),
    mode: z.enum(["healthy", "slow", "failing", "refusing-manifest", "garbage"]),
    delayMs: z.number().int().nonnegative().optional(),
  }),
  "POST /leases/reclaim": leaseSchema.extend({ windowMs: z.number().int().nonnegative() }),
  "POST /leases/close": leaseSchema.extend({ reason: z.number().int().optional() }),
  "POST /rpc/fault": z.object({
    target: z.enum(["rpc", "grpc", "all", "console"]).optional(),
    kind: z.enum(["error", "delay"]),
    delayMs: z.number().int().nonnegative().optional(),
    count: z.number().int().positive().optional(),
  }),
  "POST /rpc/clear": z.object({}).passthrough(),
  "POST /tx/fail-next": z.object({
    address: z.string().optional(),
    stage: z.enum(["checkTx", "deliverTx"]).optional(),
    code: z.number().int().positive().optional(),
    log: z.string().optional(),
  }),
  "POST /accounts/drain": z.object({ address: z.string(), denom: z.string().optional() }),
  "POST /escrow/drain": z.object({
    owner: z.string(),
    dseq: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]),
  }),
} as const;

type RouteKey = keyof typeof routes;

/** A route added by a part of the devnet (e.g. the Cronos stand-in): its body schema and its effect. */
export interface ControlRoute {
  parse(
    body: unknown,
  ): { ok: true; run: () => Promise<Record<string, unknown> | undefined> } | { ok: false; error: string };
}

export function controlRoute<T>(
  schema: z.ZodType<T>,
  apply: (data: T) => Promise<Record<string, unknown> | undefined>,
): ControlRoute {
  return {
    parse(body) {
      const parsed = schema.safeParse(body);
      if (!parsed.success) return { ok: false, error: issuesText(parsed.error) };
      return { ok: true, run: () => apply(parsed.data) };
    },
  };
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}

export interface ControlApiDeps {
  readonly endpoints: () => DevnetEndpoints;
  readonly status: () => unknown;
  readonly faults: DevnetFaults;
  /** More POST routes, keyed "POST /path". */
  readonly extraRoutes?: Readonly<Record<string, ControlRoute>>;
  /** GET routes, keyed "GET /path", answered with what they return as JSON (an error answers 400). */
  readonly readRoutes?: Readonly<Record<string, () => unknown>>;
}

/**
 * The devnet control API: `GET /endpoints` (the `--json` line), `GET /status`, and one POST route per fault
 * (JSON bodies, validated; answers `{ ok: true, ... }` or `{ error }` with 400/404).
 */
export class ControlApi {
  private readonly http = new LoopbackHttpServer((req, res) => this.handle(req, res));
  private readonly deps: ControlApiDeps;

  constructor(deps: ControlApiDeps) {
    this.deps = deps;
  }

  start(port = 0): Promise<string> {
    return this.http.start(port);
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === "/endpoints") {
      sendJson(res, 200, this.deps.endpoints());
      return;
    }
    if (req.method === "GET" && path === "/status") {
      sendJson(res, 200, await this.deps.status());
      return;
    }
    const read = this.deps.readRoutes?.[`${req.method} ${path}`];
    if (read) {
      try {
        sendJson(res, 200, read());
      } catch (error) {
        sendJson(res, 400, { error: (error as Error).message });
      }
      return;
    }
    const key = `${req.method} ${path}` as RouteKey;
    const schema = Object.hasOwn(routes, key) ? routes[key] : undefined;
    const extra =
      this.deps.extraRoutes && Object.hasOwn(this.deps.extraRoutes, key)
        ? this.deps.extraRoutes[key]
        : undefined;
    if (!schema && !extra) {
      sendJson(res, 404, {
        error: `no route ${req.method} ${path}`,
        routes: [
          "GET /endpoints",
          "GET /status",
          ...Object.keys(this.deps.readRoutes ?? {}),
          ...Object.keys(routes),
          ...Object.keys(this.deps.extraRoutes ?? {}),
        ],
      });
      return;
    }
    let body: unknown = {};
    try {
      const text = (await readBody(req)).toString("utf8");
      body = text ? JSON.parse(text) : {};
    } catch {
      sendJson(res, 400, { error: "body must be JSON" });
      return;
    }
    if (extra) {
      const route = extra.parse(body);
      if (!route.ok) {
        sendJson(res, 400, { error: route.error });
        return;
      }
      try {
        sendJson(res, 200, { ok: true, ...((await route.run()) ?? {}) });
      } catch (error) {
        sendJson(res, 400, { error: (error as Error).message });
      }
      return;
    }
    if (!schema) return;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      sendJson(res, 400, { error: issuesText(parsed.error) });
      return;
    }
    try {
      sendJson(res, 200, { ok: true, ...((await this.apply(key, parsed.data)) ?? {}) });
    } catch (error) {
      sendJson(res, 400, { error: (error as Error).message });
    }
  }

  private async apply(key: RouteKey, data: unknown): Promise<Record<string, unknown> | undefined> {
    const f = this.deps.faults;
    switch (key) {
      case "POST /providers/offline":
        await f.setProviderOnline((data as { provider: string }).provider, false);
        return undefined;
      case "POST /providers/online":
        await f.setProviderOnline((data as { provider: string }).provider, true);
        return undefined;
      case "POST /providers/degrade": {
        const d = data as z.infer<(typeof routes)["POST /providers/degrade"]>;
        f.degradeProvider(
          d.provider,
          d.mode === "slow" ? { mode: "slow", delayMs: d.delayMs ?? 2000 } : { mode: d.mode },
        );
        return undefined;
      }
      case "POST /leases/reclaim": {
        const d = data as z.infer<(typeof routes)["POST /leases/reclaim"]>;
        return await f.reclaimLease(d, d.windowMs);
      }
      case "POST /leases/close": {
        const d = data as z.infer<(typeof routes)["POST /leases/close"]>;
        await f.closeLease(d, d.reason);
        return undefined;
      }
      case "POST /rpc/fault":
        f.injectRpcFault(data as z.infer<(typeof routes)["POST /rpc/fault"]>);
        return undefined;
      case "POST /rpc/clear":
        f.clearRpcFaults();
        return undefined;
      case "POST /tx/fail-next":
        f.failNextTx(data as z.infer<(typeof routes)["POST /tx/fail-next"]>);
        return undefined;
      case "POST /accounts/drain": {
        const d = data as { address: string; denom?: string };
        await f.drainAccount(d.address, d.denom);
        return undefined;
      }
      case "POST /escrow/drain": {
        const d = data as { owner: string; dseq: string | number };
        await f.drainEscrow(d.owner, d.dseq);
        return undefined;
      }
    }
  }
}
