import { AgentError, UsageError } from "../../errors.js";
import { print } from "../cli-options.js";

/** A running agent's base URL from what a lease lists (`host:port`) or a full URL. */
export function remoteBaseUrl(uri: string): URL {
  const text = /^https?:\/\//.test(uri) ? uri : `http://${uri}`;
  try {
    return new URL(text);
  } catch {
    throw new UsageError(`--remote ${uri} is not a URI: give host:port or http(s)://host[:port]`);
  }
}

/** GET {uri}/api/status of a running agent, as JSON. */
export async function readRemoteStatus(uri: string): Promise<Record<string, unknown>> {
  const url = new URL("/api/status", remoteBaseUrl(uri));
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new AgentError(
      `cannot reach ${url.toString()}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const text = await response.text();
  if (!response.ok)
    throw new AgentError(`${url.toString()} answered ${response.status}: ${text.trim().slice(0, 200)}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AgentError(`${url.toString()} did not answer JSON: is it an akash-agent?`);
  }
}

export function printRemote(status: Record<string, unknown>, json: boolean | undefined): void {
  if (json) {
    print(JSON.stringify(status));
    return;
  }
  const text = (value: unknown) => (value === null || value === undefined ? "-" : String(value));
  print(`lease    ${text(status.state)}`);
  print(`dseq     ${text(status.dseq)}`);
  print(`provider ${text(status.provider)}`);
  print(`uris     ${Array.isArray(status.uris) ? status.uris.join(", ") || "-" : "-"}`);
  const runway = status.escrowRunwayHours;
  print(`escrow   ${runway === null || runway === undefined ? "-" : `${text(runway)} h of runway`}`);
  print(`version  ${versionText(status.version)}`);
  if (status.leadership && typeof status.leadership === "object") {
    const { generation, state } = status.leadership as { generation?: unknown; state?: unknown };
    print(`leader   ${text(state)} (generation ${text(generation)})`);
  }
}

/** `0.2.0 (image ghcr.io/…:0.2.0)` from a status's `version`; `-` when it has none (an older agent). */
function versionText(version: unknown): string {
  if (!version || typeof version !== "object") return "-";
  const { package: pkg, image } = version as { package?: unknown; image?: unknown };
  const name = typeof pkg === "string" && pkg ? pkg : "-";
  return typeof image === "string" && image ? `${name} (image ${image})` : name;
}
