import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfig } from "../config/index.js";
import { packageRoot } from "../devnet/agent-entry-point.js";
import { type AgentVersion, runningImage } from "../domain/index.js";

export type { AgentVersion };

/** The tag of the image a provider runs the agent as (set by the devnet's providers; see src/devnet/README.md). */
export const IMAGE_TAG_ENV = "AGENT_IMAGE_TAG";
/** What `package` says when no akash-agent package.json with a version is found above the code. */
export const UNKNOWN_PACKAGE_VERSION = "unknown";

/**
 * The `version` of the akash-agent package.json above `from` (this module: src/runtime under tsx or
 * vitest, dist/runtime when built), or `unknown` when there is none to read.
 */
export function packageVersionAt(from: string): string {
  try {
    const parsed = JSON.parse(readFileSync(join(packageRoot(from), "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof parsed.version === "string" && parsed.version.length > 0
      ? parsed.version
      : UNKNOWN_PACKAGE_VERSION;
  } catch {
    return UNKNOWN_PACKAGE_VERSION;
  }
}

let ownPackageVersion: string | undefined;

/** This build's package version (read once). */
export function packageVersion(): string {
  ownPackageVersion ??= packageVersionAt(fileURLToPath(import.meta.url));
  return ownPackageVersion;
}

/**
 * The running agent's version: this build's package version and the image it runs as, `agent.image`
 * with its tag replaced by `AGENT_IMAGE_TAG` when the provider that started it set one.
 */
export function agentVersion(
  config: { readonly agent: Pick<AgentConfig["agent"], "image"> },
  env: NodeJS.ProcessEnv = process.env,
): AgentVersion {
  return { package: packageVersion(), image: runningImage(config.agent.image, env[IMAGE_TAG_ENV]) };
}
