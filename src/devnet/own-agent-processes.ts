import { mkdirSync } from "node:fs";
import { ownAgentCommand } from "./agent-entry-point.js";
import type { DevnetOptions } from "./devnet-types.js";

export type AgentProcessOptions = Required<
  Pick<DevnetOptions, "agentImage" | "agentCommand" | "agentLogDir">
> &
  Pick<DevnetOptions, "agentVolumeRoot">;

/**
 * Devnet options under which the providers run `image` as this package's own entry point
 * (`node dist/main.js run`), each process's output appended to a file in `logDir`.
 */
export function ownAgentProcessOptions(
  image: string,
  logDir: string,
  volumeRoot?: string,
): AgentProcessOptions {
  const agentCommand = ownAgentCommand();
  mkdirSync(logDir, { recursive: true });
  return {
    agentImage: image,
    agentCommand,
    agentLogDir: logDir,
    ...(volumeRoot !== undefined ? { agentVolumeRoot: volumeRoot } : {}),
  };
}
