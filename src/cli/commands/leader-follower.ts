import type { Logger } from "../../logging/index.js";
import type { HeartbeatWatch, ReceivedHeartbeat } from "../../services/nostr/index.js";
import { watchHeartbeats } from "../../services/nostr/index.js";
import { readRemoteStatus, remoteBaseUrl } from "./remote-status.js";

/** Where the leader is, as the handover recorded it (the lease's URI is `host:port` or a URL). */
export interface LeaderLocation {
  readonly generation: number;
  readonly dseq: string;
  readonly provider: string;
  readonly uri: string;
}

export interface LeaderFollowerOptions {
  readonly leader: LeaderLocation;
  /** Relays the agent publishes its heartbeats to. */
  readonly relays: readonly string[];
  /** The agent's Nostr key (hex); null: read from the leader's NIP-11 document once it answers. */
  readonly pubkey: string | null;
  readonly pollMs: number;
  /** One line for a person, per heartbeat and per change of the leader's status. */
  readonly onLine: (line: string) => void;
  readonly logger: Logger;
}

export interface LeaderFollower {
  /** Where the leader is now: a heartbeat of a later generation moves it (self-migration). */
  current(): LeaderLocation;
  stop(): void;
}

const clock = () => new Date().toISOString().slice(11, 19);

function text(value: unknown): string {
  return value === null || value === undefined ? "-" : String(value);
}

function heartbeatLine(heartbeat: ReceivedHeartbeat): string {
  return [
    `${clock()}  heartbeat  generation ${heartbeat.generation}`,
    `lease ${heartbeat.leaseState}`,
    `provider ${text(heartbeat.provider)}`,
    `runway ${heartbeat.runwayDays === null ? "-" : `${heartbeat.runwayDays.toFixed(2)} d`}`,
    `relay ${text(heartbeat.relayUri)}`,
  ].join("  ");
}

function statusLine(uri: string, status: Record<string, unknown>): string {
  const leadership = (status.leadership ?? {}) as { generation?: unknown; state?: unknown };
  const runway = typeof status.escrowRunwayHours === "number" ? `${status.escrowRunwayHours} h` : "-";
  return [
    `${clock()}  status     ${uri}`,
    `lease ${text(status.state)}`,
    `leader ${text(leadership.state)} (generation ${text(leadership.generation ?? status.generation)})`,
    `dseq ${text(status.dseq)}`,
    `runway ${runway}`,
  ].join("  ");
}

/** The `host:port` of a heartbeat's relay URI (ws://host:port), the form a lease lists. */
function hostOf(relayUri: string): string {
  const url = new URL(relayUri);
  return url.host;
}

/** The agent's Nostr key from its relay's NIP-11 document, or null while it does not answer. */
async function relayPubkey(uri: string): Promise<string | null> {
  try {
    const response = await fetch(remoteBaseUrl(uri), {
      headers: { accept: "application/nostr+json" },
      signal: AbortSignal.timeout(3_000),
    });
    const document = (await response.json()) as { pubkey?: unknown };
    return typeof document.pubkey === "string" && /^[0-9a-f]{64}$/.test(document.pubkey)
      ? document.pubkey
      : null;
  } catch {
    return null;
  }
}

/**
 * Follows the deployed agent from outside (npm start after the handover): its heartbeats on the
 * relays, one line each, and its `/api/status`, one line whenever what it says changes. A heartbeat
 * of a later generation that names another relay moves the status polling there.
 */
export function followLeader(options: LeaderFollowerOptions): LeaderFollower {
  const { logger } = options;
  let leader = options.leader;
  let pubkey = options.pubkey;
  let stopped = false;
  let lastStatus = "";
  const watches: HeartbeatWatch[] = [];
  const retries = new Set<NodeJS.Timeout>();

  const onHeartbeat = (heartbeat: ReceivedHeartbeat) => {
    // The relay also keeps the last heartbeat of an earlier generation (the bootstrap's): not news.
    if (stopped || heartbeat.generation < leader.generation) return;
    options.onLine(heartbeatLine(heartbeat));
    if (heartbeat.generation > leader.generation && heartbeat.relayUri) {
      const uri = hostOf(heartbeat.relayUri);
      if (uri !== leader.uri) {
        leader = {
          generation: heartbeat.generation,
          dseq: leader.dseq,
          provider: heartbeat.provider ?? leader.provider,
          uri,
        };
        options.onLine(`${clock()}  moved      generation ${heartbeat.generation} now at ${uri}`);
      } else {
        leader = { ...leader, generation: heartbeat.generation };
      }
    }
  };

  const watchRelay = (relay: string, key: string) => {
    if (stopped) return;
    const again = () => {
      if (stopped) return;
      const timer = setTimeout(() => {
        retries.delete(timer);
        watchRelay(relay, key);
      }, 2_000);
      retries.add(timer);
    };
    watchHeartbeats({ relay, pubkeys: [key], onHeartbeat, onClose: again }).then(
      (watch) => {
        if (stopped) watch.close();
        else watches.push(watch);
      },
      (error: unknown) => {
        logger.debug({ relay, reason: (error as Error).message }, "heartbeat relay not reachable: retrying");
        again();
      },
    );
  };

  const startHeartbeats = (key: string) => {
    if (options.relays.length === 0) {
      options.onLine(
        `${clock()}  no relay to read heartbeats from (nostr.relays): following /api/status only`,
      );
      return;
    }
    for (const relay of options.relays) watchRelay(relay, key);
  };

  const poll = async () => {
    const uri = leader.uri;
    if (pubkey === null) {
      pubkey = await relayPubkey(uri);
      if (pubkey !== null) startHeartbeats(pubkey);
    }
    let line: string;
    let key: string;
    try {
      const status = await readRemoteStatus(uri);
      const leadership = (status.leadership ?? {}) as { generation?: unknown; state?: unknown };
      // dseq and the lease state name a change; the runway moves at every read, so it does not.
      key = `${uri}|${text(status.state)}|${text(leadership.state)}|${text(leadership.generation)}|${text(status.dseq)}`;
      line = statusLine(uri, status);
      if (typeof status.dseq === "string" && uri === leader.uri) leader = { ...leader, dseq: status.dseq };
    } catch (error) {
      key = `${uri}|unreachable`;
      line = `${clock()}  status     ${uri} not reachable (${(error as Error).message})`;
    }
    if (!stopped && key !== lastStatus) {
      lastStatus = key;
      options.onLine(line);
    }
  };

  if (pubkey !== null) startHeartbeats(pubkey);
  void poll();
  const timer = setInterval(() => void poll(), options.pollMs);
  return {
    current: () => leader,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const retry of retries) clearTimeout(retry);
      for (const watch of watches) watch.close();
    },
  };
}
