import { join } from "node:path";
import type { AgentConfig } from "../../config/index.js";
import { UsageError } from "../../errors.js";
import type { Logger } from "../../logging/index.js";
import { runDeployedInstance } from "../../runtime/deployed-instance.js";

/**
 * `run` inside the agent's own lease (AGENT_ROLE=deployed): await activation, then run as the leader
 * until the provider stops the container (SIGTERM).
 */
export async function runDeployed(config: AgentConfig, logger: Logger): Promise<void> {
  if (config.network === "devnet" && !config.devnet.url) {
    throw new UsageError(
      "AGENT_ROLE=deployed on the devnet needs AGENT_DEVNET_URL (the devnet's control URL; the SDL sets it)",
    );
  }
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  const { startAgentProcess } = await import("../../server/agent-process.js");
  const { ActivationRecordRoute } = await import("../../server/activation-record-route.js");
  const { ACTIVATION_RECORD_FILE, ACTIVATION_REFUSALS_FILE, ActivationRefusalLog } = await import(
    "../../services/activation/index.js"
  );
  const instance = await runDeployedInstance({
    config,
    logger,
    env: process.env,
    startAgent: ({ config: activated, keys, keystore }) => {
      // A leader that crashed after activating this instance reads its acknowledgement here.
      const activation = ActivationRecordRoute.fromFile(
        join(activated.dataDir, ACTIVATION_RECORD_FILE),
        new ActivationRefusalLog(join(activated.dataDir, ACTIVATION_REFUSALS_FILE)),
      );
      return startAgentProcess({
        config: activated,
        keys,
        keystore,
        logger,
        fund: "all",
        ...(activation ? { activation } : {}),
      });
    },
  });
  await stopped;
  logger.info("stopping: the lease and its escrow stay; the provider restarts this instance as the leader");
  await instance.close();
}
