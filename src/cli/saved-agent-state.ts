import { existsSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { latestDevnetRunDir } from "../runtime/devnet-runs.js";
import { DEFAULT_DATABASE_FILE } from "../services/store/index.js";

/**
 * Refuses a command that reads the agent's store when `dataDir` holds none, naming the newest
 * embedded-devnet run (which keeps its state apart) when there is one.
 */
export function requireSavedAgentState(dataDir: string, command: string): void {
  if (existsSync(join(dataDir, DEFAULT_DATABASE_FILE))) return;
  const devnetRun = latestDevnetRunDir(dataDir);
  throw new UsageError(
    devnetRun
      ? `no agent state in ${dataDir} itself: runs on the embedded devnet keep theirs apart; the newest is \`akash-agent ${command} --data ${devnetRun}\``
      : `no agent state in ${dataDir}: point --data at the directory the agent ran with`,
  );
}
