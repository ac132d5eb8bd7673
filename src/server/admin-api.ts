import { z } from "zod";
import type { Logger } from "../logging/index.js";
import { keyNames } from "../machines/keys/keys.types.js";
import type { AgentRuntime } from "../runtime/agent-runtime.js";
import type { AdminAction } from "./admin-actions.js";
import { retireBody, retireChild, spawnBody, spawnChild } from "./admin-family.js";
import { startUpgrade, type UpgradeSettings, upgradeBody } from "./admin-upgrade.js";
import type { AgentSystemView } from "./agent-system-view.js";
import { publicKeyHex } from "./nip98-auth.js";

export { ADMIN_ACTIONS, type AdminAction } from "./admin-actions.js";

export type AdminResult =
  | { status: 200; body: Record<string, unknown> }
  | { status: 400 | 409 | 503 | 504; error: string };

const akashAddress = z.string().regex(/^akash1[02-9ac-hj-np-z]{38,58}$/, "an akash1… address");
const npub = z.string().refine(
  (value) => {
    try {
      publicKeyHex(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: "an npub1… key (or 64 hex characters)" },
);

const bodies = {
  pause: z.strictObject({}),
  resume: z.strictObject({}),
  terminate: z.strictObject({}),
  migrate: z.strictObject({ avoidProvider: akashAddress.optional() }),
  "rotate-keys": z.strictObject({ key: z.enum(keyNames) }),
  config: z
    .strictObject({
      log: z
        .strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]) })
        .optional(),
      admin: z.strictObject({ npubs: z.array(npub) }).optional(),
    })
    .refine((body) => body.log !== undefined || body.admin !== undefined, {
      message: "name at least one setting: log.level or admin.npubs",
    }),
  spawn: spawnBody,
  retire: retireBody,
  upgrade: upgradeBody,
} satisfies Record<AdminAction, z.ZodType>;

/** zod's first issue as "field: message (fix)". */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid body";
  const field = issue.path.length > 0 ? issue.path.join(".") : "body";
  if (issue.code === "unrecognized_keys") return `${field}: unknown setting ${issue.keys.join(", ")}`;
  return `${field}: ${issue.message}`;
}

export interface AdminApiOptions {
  runtime: AgentRuntime;
  view: AgentSystemView;
  logger: Logger;
  /** The agent's own Nostr key (hex): always an admin. */
  ownPubkey: string;
  /** npubs (or hex keys) from admin.npubs. */
  npubs: readonly string[];
  /** What `upgrade` runs with (`upgrade.*`, `agent.image`); absent: the defaults, and no known image. */
  upgrade?: UpgradeSettings;
}

const DEFAULT_UPGRADE: UpgradeSettings = {
  monitorMs: 10 * 60_000,
  rollbackWindowMs: 30 * 60_000,
  configuredImage: "",
};

/**
 * What each admin call does to the running agent: events sent into its actor system (journalled
 * first), and the few settings a running agent can take (log level, admin keys).
 */
export class AdminApi {
  private admins: Set<string>;

  constructor(private readonly options: AdminApiOptions) {
    this.admins = this.adminSet(options.npubs);
  }

  /** Hex keys allowed to call the admin routes. */
  get allowed(): ReadonlySet<string> {
    return this.admins;
  }

  private adminSet(npubs: readonly string[]): Set<string> {
    return new Set([this.options.ownPubkey, ...npubs.map(publicKeyHex)]);
  }

  run(action: AdminAction, raw: unknown): AdminResult | Promise<AdminResult> {
    const parsed = bodies[action].safeParse(raw);
    if (!parsed.success)
      return { status: 400, error: `bad body for ${action}: ${describeIssue(parsed.error)}` };
    const { runtime, view, logger } = this.options;
    const body = parsed.data as Record<string, unknown>;
    logger.info({ action }, "admin call");
    switch (action) {
      case "pause": {
        if (!view.send("health", { type: "HEALTH.UNWATCH" })) return notRunning();
        return ok(action, { note: "health checks paused: no top-ups, moves or scaling until resume" });
      }
      case "resume": {
        const target = view.currentLease();
        if (!target) return { status: 409, error: "no lease to watch yet: nothing to resume" };
        if (!view.send("health", { type: "HEALTH.WATCH", target })) return notRunning();
        return ok(action, { watching: target.dseq });
      }
      case "terminate": {
        runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true }, "admin");
        return ok(action, { note: "closing the deployment, then stopping" });
      }
      case "migrate": {
        const current = view.currentLease();
        if (!current) return { status: 409, error: "the agent holds no lease: nothing to migrate" };
        const avoid = body.avoidProvider as string | undefined;
        if (avoid !== undefined && avoid !== current.provider) {
          return {
            status: 409,
            error: `avoidProvider ${avoid} is not the current provider (${current.provider}): omit it to move off the current one`,
          };
        }
        runtime.persister.recordInput({
          source: "admin",
          type: "HEALTH.PROVIDER_DEGRADED",
          payload: { provider: current.provider },
        });
        runtime.actor.send({
          type: "HEALTH.PROVIDER_DEGRADED",
          provider: current.provider,
          reason: "the operator asked to migrate (admin)",
        });
        return ok(action, { from: current.provider, dseq: current.dseq });
      }
      case "rotate-keys": {
        const key = body.key as (typeof keyNames)[number];
        if (!view.send("keys", { type: "KEYS.ROTATE_NOW", key })) return notRunning();
        return ok(action, { key });
      }
      case "config": {
        const applied: Record<string, unknown> = {};
        const settings = body as { log?: { level: string }; admin?: { npubs: string[] } };
        if (settings.log) {
          logger.level = settings.log.level;
          applied["log.level"] = settings.log.level;
        }
        if (settings.admin) {
          this.admins = this.adminSet(settings.admin.npubs);
          applied["admin.npubs"] = settings.admin.npubs.length;
        }
        return ok(action, { applied, note: "applied to the running agent until it restarts" });
      }
      case "spawn":
        return spawnChild(view, body as z.infer<typeof spawnBody>);
      case "retire":
        return retireChild(view, body as z.infer<typeof retireBody>);
      case "upgrade":
        return startUpgrade(
          runtime,
          this.options.upgrade ?? DEFAULT_UPGRADE,
          body as z.infer<typeof upgradeBody>,
        );
    }
  }
}

const ok = (action: AdminAction, details: Record<string, unknown>): AdminResult => ({
  status: 200,
  body: { ok: true, action, ...details },
});
const notRunning = (): AdminResult => ({ status: 409, error: "the agent is not running its monitors yet" });
