import { finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { envNameOf } from "../../src/config/config-fields.js";

useWebSocketImplementation(WebSocket);

/** What a spawned bootstrap prints with `run --until handed-over --json`. */
export interface HandoverJson {
  state: string;
  generation: number;
  leader: { dseq: string; provider: string; uri: string };
}

/** A deployed instance's `/api/status` (the agent's, or an instance's that does not act). */
export interface RemoteStatus {
  state: string;
  dseq?: string | null;
  provider?: string | null;
  uris?: string[];
  generation?: number;
  leadership?: { generation: number; state: string; leader?: { uri: string } };
  /** The image the lease runs (an agent that leads). */
  image?: string;
  /** The last upgrade (issue 18). */
  upgrade?: { from: string; to: string; state: string; reason: string | null };
}

/** Agent settings (`a.b` keys) as the `AGENT_*` variables a spawned agent reads. */
export function settingsEnv(settings: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [envNameOf(key.split(".")), String(value)]),
  );
}

export async function remoteStatus(uri: string): Promise<RemoteStatus> {
  const response = await fetch(`http://${uri}/api/status`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as RemoteStatus;
}

/** The leadership an instance reports: the agent's `leadership`, or the top level of one that does not act. */
export function leadershipOfStatus(status: RemoteStatus): { generation: number; state: string } | null {
  if (status.leadership) return status.leadership;
  if (typeof status.generation === "number") return { generation: status.generation, state: status.state };
  return null;
}

/** Publishes a note to a relay and resolves once the relay accepted it. */
export async function publishNote(url: string, content: string): Promise<string> {
  const relay = await Relay.connect(url);
  try {
    const event = finalizeEvent(
      { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content },
      generateSecretKey(),
    );
    await relay.publish(event);
    return event.id;
  } finally {
    relay.close();
  }
}

export async function hasEvent(url: string, id: string): Promise<boolean> {
  const relay = await Relay.connect(url);
  try {
    const events = await new Promise<string[]>((resolve) => {
      const found: string[] = [];
      const sub = relay.subscribe([{ ids: [id] }], {
        onevent: (event) => found.push(event.id),
        oneose: () => {
          sub.close();
          resolve(found);
        },
      });
    });
    return events.includes(id);
  } finally {
    relay.close();
  }
}
