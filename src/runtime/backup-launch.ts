import type { AgentConfig } from "../config/index.js";
import type { Logger } from "../logging/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import type { AgentStore } from "../services/store/index.js";
import { backupCrashPointFromEnv } from "./backup-crash-point.js";
import { type BackupRuntime, startBackupRuntime } from "./backup-runtime.js";
import {
  type BackupTargetChoice,
  chooseBackupTarget,
  type DevnetBackupEndpoints,
  devnetBackupEndpoints,
} from "./backup-target.js";
import type { NetworkConnection } from "./network-connection.js";

/** What a devnet agent's Arweave wallet is topped up to (winston): many backups at arlocal's price. */
const DEVNET_ARWEAVE_WINSTON = 5_000_000_000_000n;

/** The devnet's backup endpoints: the in-process handle's, or those a running devnet's control API lists. */
async function devnetEndpointsOf(
  config: AgentConfig,
  connection: NetworkConnection,
  devnetUrl: string | undefined,
): Promise<DevnetBackupEndpoints | null> {
  if (config.network !== "devnet") return null;
  if (connection.devnet) {
    return {
      gateway: connection.devnet.arweave?.gateway ?? null,
      relay: connection.devnet.nostr?.relay ?? null,
      faucet: connection.devnet.faucet,
    };
  }
  const url = devnetUrl ?? config.devnet.url;
  return url ? devnetBackupEndpoints(url) : null;
}

/** Tops the agent's Arweave wallet up from the devnet faucet when it runs low (devnet only). */
export async function fundOnDevnet(gateway: string, faucet: string, address: string): Promise<void> {
  const balance = await fetch(`${gateway.replace(/\/$/, "")}/wallet/${address}/balance`).then((r) =>
    r.text(),
  );
  if (/^\d+$/.test(balance) && BigInt(balance) >= DEVNET_ARWEAVE_WINSTON / 2n) return;
  const response = await fetch(faucet, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address, amount: DEVNET_ARWEAVE_WINSTON.toString() }),
  });
  if (!response.ok)
    throw new Error(`the devnet faucet answered HTTP ${response.status} for the Arweave wallet`);
}

/** Resolves where backups go for this network and config (also for the `backup` and `restore` commands). */
export async function backupTargetFor(
  config: AgentConfig,
  connection: NetworkConnection | null,
  devnetUrl?: string,
): Promise<{ choice: BackupTargetChoice; devnet: DevnetBackupEndpoints | null }> {
  const devnet = connection
    ? await devnetEndpointsOf(config, connection, devnetUrl)
    : config.network === "devnet" && (devnetUrl ?? config.devnet.url)
      ? await devnetBackupEndpoints((devnetUrl ?? config.devnet.url)!)
      : null;
  return { choice: chooseBackupTarget(config, devnet), devnet };
}

/**
 * Starts the agent's backups when they can run: enabled, a gateway and a relay known, and an Arweave
 * wallet in the keystore to sign with. Otherwise says why in the log and returns null.
 */
export async function startBackups(options: {
  config: AgentConfig;
  keys: AgentKeys;
  store: AgentStore;
  logger: Logger;
  connection: NetworkConnection;
  devnetUrl?: string;
  now?: () => number;
}): Promise<BackupRuntime | null> {
  const { config, keys, logger } = options;
  let found: Awaited<ReturnType<typeof backupTargetFor>>;
  try {
    found = await backupTargetFor(config, options.connection, options.devnetUrl);
  } catch (error) {
    logger.warn(
      { err: error },
      "backups off: cannot read the devnet's Arweave gateway and relay from its control API",
    );
    return null;
  }
  const { choice, devnet } = found;
  if ("off" in choice) {
    logger.info(`backups off: ${choice.off}`);
    return null;
  }
  const address = keys.identity.arweave;
  if (!address) {
    logger.warn(
      "backups off: the keystore has no Arweave wallet to sign them (use the file keystore from `akash-agent init`, or set AGENT_ARWEAVE_JWK)",
    );
    return null;
  }
  if (devnet?.faucet) {
    // A failure here is not fatal: the first backup then fails to post, says why, and is retried.
    await fundOnDevnet(choice.target.gateway, devnet.faucet, address).catch((error: unknown) =>
      logger.warn({ err: error }, "cannot fund the Arweave wallet from the devnet faucet"),
    );
  }
  const onStep = backupCrashPointFromEnv();
  logger.info(
    {
      gateway: choice.target.gateway,
      relays: choice.target.relays,
      everyMinutes: config.backup.intervalMinutes,
    },
    "backups on: after each milestone and on schedule",
  );
  return startBackupRuntime({
    store: options.store,
    keys,
    target: choice.target,
    settings: {
      intervalMs: config.backup.intervalMinutes * 60_000,
      baseBackoffMs: config.intervals.baseBackoffMs,
      maxBackoffMs: config.intervals.maxBackoffMs,
    },
    logger,
    ...(options.now ? { now: options.now } : {}),
    ...(onStep ? { onStep } : {}),
  });
}
