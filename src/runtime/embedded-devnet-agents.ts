import { join } from "node:path";
import type { AgentConfig } from "../config/index.js";
import { type AgentProcessOptions, ownAgentProcessOptions } from "../devnet/own-agent-processes.js";
import type { Logger } from "../logging/index.js";

/**
 * The embedded devnet's providers run the agent's image (`agent.image`) as this package's own entry
 * point, so a deployment of the agent is the agent itself; their output goes beside the run's data.
 */
export function embeddedDevnetAgentProcesses(config: AgentConfig, logger: Logger): AgentProcessOptions {
  const options = ownAgentProcessOptions(config.agent.image, join(config.dataDir, "devnet-agent-logs"));
  logger.info(
    { image: options.agentImage, logDir: options.agentLogDir },
    `the embedded devnet runs ${options.agentImage} as \`node dist/main.js run\`; its output is in ${options.agentLogDir}`,
  );
  return options;
}
