import { AgentError } from "../errors.js";
import type { Logger } from "../logging/index.js";
import type { ReceivedHeartbeat } from "../services/nostr/heartbeat-event.js";
import { watchHeartbeats } from "../services/nostr/heartbeat-reader.js";

/** How long each relay gets to send the stored heartbeat before it is counted as silent. */
const READ_TIMEOUT_MS = 3_000;

/** The newest heartbeat of the agent's own key on these relays, or null when none answers with one. */
export async function latestOwnHeartbeat(
  relays: readonly string[],
  pubkey: string,
  logger: Logger,
): Promise<ReceivedHeartbeat | null> {
  const found: ReceivedHeartbeat[] = [];
  await Promise.all(
    relays.map(async (relay) => {
      try {
        const watch = await watchHeartbeats({
          relay,
          pubkeys: [pubkey],
          onHeartbeat: (heartbeat) => found.push(heartbeat),
          connectTimeoutMs: READ_TIMEOUT_MS,
        });
        await Promise.race([watch.caughtUp, new Promise((resolve) => setTimeout(resolve, READ_TIMEOUT_MS))]);
        watch.close();
      } catch (error) {
        logger.debug({ relay, reason: (error as Error).message }, "relay not read for the agent's heartbeat");
      }
    }),
  );
  return found.sort((a, b) => b.generation - a.generation || b.createdAt - a.createdAt)[0] ?? null;
}

/**
 * Refuses to start acting when the agent's own heartbeats say a later generation leads elsewhere
 * (DESIGN §12: never two leaders): e.g. a second bootstrap started with the same mnemonic after a
 * handover. Such a process would otherwise deploy again and close the leader's deployment as an orphan.
 */
export async function refuseIfLeaderElsewhere(o: {
  relays: readonly string[];
  pubkey: string;
  generation: number;
  staleAfterMs: number;
  now: () => number;
  logger: Logger;
}): Promise<void> {
  if (o.relays.length === 0) return;
  const heartbeat = await latestOwnHeartbeat(o.relays, o.pubkey, o.logger);
  if (!heartbeat || heartbeat.generation <= o.generation) return;
  const ageSeconds = Math.max(0, Math.round((o.now() - Date.parse(heartbeat.at)) / 1000));
  const where = heartbeat.relayUri ?? "its lease";
  const fresh = ageSeconds * 1000 <= o.staleAfterMs;
  throw new AgentError(
    fresh
      ? `the agent already leads elsewhere as generation ${heartbeat.generation} (relay ${where}, heartbeat ${ageSeconds} s ago): this process, at generation ${o.generation}, does not act`
      : `the agent's last heartbeat says generation ${heartbeat.generation} leads (relay ${where}), ${ageSeconds} s ago: this process, at generation ${o.generation}, does not act while that leader may still run`,
    3,
  );
}
