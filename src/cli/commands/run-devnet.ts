import { resolve } from "node:path";
import type { AgentConfig } from "../../config/index.js";
import type { Logger } from "../../logging/index.js";
import { type ManagedDevnet, useManagedDevnet } from "../../runtime/managed-devnet.js";
import { keystorePath } from "../keystore-access.js";
import { devnetStopCommand } from "./run-follow.js";

export interface RunDevnet {
  /** The run's config: on a devnet the run started, its run folder as dataDir and its control URL. */
  readonly config: AgentConfig;
  /** The devnet the run started or found, null with --devnet-url, in-process or off the devnet. */
  readonly devnet: ManagedDevnet | null;
  /** The run follows the deployed agent: its last lines say how to stop the devnet. */
  following(): void;
}

/**
 * Without --devnet-url the devnet runs as its own process (reused by the next run on this --data), so
 * that the deployed agent outlives the run; the run's agent state is in the devnet's run folder. When
 * the run ends without following the agent, one line says that the devnet keeps running and how to stop it.
 */
export async function runDevnet(config: AgentConfig, logger: Logger): Promise<RunDevnet> {
  if (config.network !== "devnet" || config.devnet.url || config.devnet.inProcess) {
    return { config, devnet: null, following: () => {} };
  }
  const devnet = await useManagedDevnet({ config, dataDir: config.dataDir, logger });
  let follows = false;
  process.once("exit", () => {
    if (follows) return;
    process.stderr.write(
      `akash-agent: the devnet keeps running (pid ${devnet.pid}, ${devnet.control}); stop it with: ${devnetStopCommand(config.dataDir)}\n`,
    );
  });
  return {
    config: {
      ...config,
      dataDir: devnet.runDir,
      devnet: { ...config.devnet, url: devnet.control },
      // The keystore stays where the operator keeps it, not in the run folder.
      keystore: { ...config.keystore, path: resolve(keystorePath(config)) },
    },
    devnet,
    following: () => {
      follows = true;
    },
  };
}
