import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The embedded devnet starts empty every time, so each run keeps its agent state in its own folder. */
const DEVNET_RUNS = "devnet-runs";

/** The folder for an embedded-devnet run started at `at`: names sort in time order. */
export function devnetRunDir(dataDir: string, at: Date): string {
  return join(dataDir, DEVNET_RUNS, at.toISOString().replace(/[:.]/g, "-"));
}

/** The newest embedded-devnet run's folder under `dataDir`, if any. */
export function latestDevnetRunDir(dataDir: string): string | null {
  const runs = join(dataDir, DEVNET_RUNS);
  if (!existsSync(runs)) return null;
  const newest = readdirSync(runs).sort().at(-1);
  return newest ? join(runs, newest) : null;
}
