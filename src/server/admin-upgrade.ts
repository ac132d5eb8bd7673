import { z } from "zod";
import type { AgentRuntime } from "../runtime/agent-runtime.js";

/**
 * An image reference with its tag: `[registry[:port]/]repository:tag` (lower-case path components,
 * a tag of up to 128 characters), as Docker and the SDL's `image` take it.
 */
const IMAGE_PATTERN =
  /^(?:[a-z0-9.-]+(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const upgradeBody = z.strictObject({
  image: z
    .string()
    .max(512)
    .regex(IMAGE_PATTERN, "an image with its tag, e.g. ghcr.io/akash-agent/agent-relay:0.2.0"),
});

/** The `upgrade.*` settings an upgrade runs with, and the image the agent runs when its lease does not say. */
export interface UpgradeSettings {
  readonly monitorMs: number;
  readonly rollbackWindowMs: number;
  readonly configuredImage: string;
}

export type UpgradeAdminResult =
  | { status: 200; body: Record<string, unknown> }
  | { status: 409; error: string };

/**
 * `upgrade` (issue 18): starts the move into a deployment of `image`, a canary first. Answers
 * `{ from, to, state }` once the lease took it, or 409 naming why it did not (no lease, a move under way,
 * the image it runs already).
 */
export function startUpgrade(
  runtime: AgentRuntime,
  settings: UpgradeSettings,
  body: z.infer<typeof upgradeBody>,
): UpgradeAdminResult {
  const lease = runtime.lease();
  if (!lease?.dseq) return { status: 409, error: "the agent holds no lease yet: nothing to upgrade" };
  if (lease.state.split(".")[0] !== "active") {
    return {
      status: 409,
      error: `the lease is ${lease.state}, not active: ask again once the move or deployment under way ends`,
    };
  }
  const from = lease.image ?? settings.configuredImage;
  if (body.image === from) return { status: 409, error: `the agent runs ${from} already` };
  const command = {
    type: "LEASE.UPGRADE" as const,
    image: body.image,
    currentImage: settings.configuredImage,
    source: "admin" as const,
    monitorMs: settings.monitorMs,
    rollbackWindowMs: settings.rollbackWindowMs,
  };
  runtime.send(command, "admin");
  const upgrade = runtime.lease()?.upgrade;
  if (upgrade?.to !== body.image || upgrade.state !== "deploying") {
    return {
      status: 409,
      error: `the lease did not take the upgrade to ${body.image} (it is ${runtime.lease()?.state})`,
    };
  }
  return {
    status: 200,
    body: { ok: true, action: "upgrade", from: upgrade.from, to: upgrade.to, state: upgrade.state },
  };
}
