import type { AgentConfig } from "../config/index.js";
import type { BackupTarget } from "../services/backup/index.js";

const ARWEAVE_NET = "https://arweave.net";

/** A running devnet's Arweave gateway and Nostr relay, from its control API (`GET {control}/endpoints`). */
export interface DevnetBackupEndpoints {
  readonly gateway: string | null;
  readonly relay: string | null;
  readonly faucet: string | null;
}

export async function devnetBackupEndpoints(controlUrl: string): Promise<DevnetBackupEndpoints> {
  const url = new URL("endpoints", controlUrl.endsWith("/") ? controlUrl : `${controlUrl}/`);
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`the devnet control API at ${url.href} answered HTTP ${response.status}`);
  const body = (await response.json()) as {
    arweave?: { gateway?: unknown };
    nostr?: { relay?: unknown };
    faucet?: unknown;
  };
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return { gateway: text(body.arweave?.gateway), relay: text(body.nostr?.relay), faucet: text(body.faucet) };
}

export type BackupTargetChoice = { target: BackupTarget } | { off: string };

/**
 * Where backups go: `backup.gateway` and `backup.relays` when set, else the network's own (the devnet's
 * gateway and relay; arweave.net on sandbox and mainnet, which have no relay of their own to default to).
 */
export function chooseBackupTarget(
  config: AgentConfig,
  devnet: DevnetBackupEndpoints | null,
): BackupTargetChoice {
  if (!config.backup.enabled) return { off: "backup.enabled is false" };
  const gateway = config.backup.gateway ?? (config.network === "devnet" ? devnet?.gateway : ARWEAVE_NET);
  if (!gateway)
    return { off: "the devnet runs no Arweave gateway (started with --no-arweave): set backup.gateway" };
  const relays =
    config.backup.relays.length > 0
      ? config.backup.relays
      : config.network === "devnet" && devnet?.relay
        ? [devnet.relay]
        : [];
  if (relays.length === 0) {
    return {
      off:
        config.network === "devnet"
          ? "the devnet runs no Nostr relay (started with --no-nostr): set backup.relays"
          : `no relay for the backup pointer on ${config.network}: set backup.relays (AGENT_BACKUP_RELAYS)`,
    };
  }
  return { target: { gateway, relays, availableTimeoutMs: config.backup.availableTimeoutMs } };
}
