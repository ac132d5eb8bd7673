import type { Logger } from "../logging/index.js";
import type { ReceivedHeartbeat } from "../services/nostr/heartbeat-event.js";
import { type HeartbeatWatch, watchHeartbeats } from "../services/nostr/heartbeat-reader.js";
import type { LeaderLocation, LeadershipRepository } from "../services/store/index.js";

/** How long a relay that dropped the subscription waits before it is subscribed to again. */
const RESUBSCRIBE_MS = 2_000;

/** Where a heartbeat says its leader runs; the heartbeat names no dseq (empty when unknown). */
export function leaderOfHeartbeat(heartbeat: ReceivedHeartbeat): LeaderLocation | null {
  if (!heartbeat.relayUri) return null;
  return {
    dseq: "",
    provider: heartbeat.provider ?? "",
    uri: heartbeat.relayUri.replace(/^wss?:\/\//, ""),
  };
}

export interface GenerationWatchOptions {
  readonly relays: readonly string[];
  /** The agent's own Nostr public key (hex): its heartbeats are the only ones read. */
  readonly pubkey: string;
  readonly leadership: Pick<LeadershipRepository, "current" | "record">;
  /**
   * The generation this instance is handing over to right now, if any: that instance's heartbeats may
   * arrive before the handover is recorded, and they are not a usurper.
   */
  readonly handingOverTo: () => number | null;
  /**
   * Called once, after `superseded` is recorded, when a heartbeat shows a later generation than the one
   * this instance leads: the instance stops acting.
   */
  readonly onSuperseded: (heartbeat: ReceivedHeartbeat) => void;
  readonly logger: Logger;
}

/**
 * A leading instance follows its own heartbeats for as long as it runs (DESIGN §12: never two leaders).
 * A heartbeat signed with the agent's key that carries a higher generation means another instance leads
 * now: this one records `superseded` (the generation never goes back, so it cannot lead again) and stops.
 */
export function watchOwnGeneration(options: GenerationWatchOptions): { stop(): void } {
  const { logger } = options;
  const watches = new Map<string, HeartbeatWatch>();
  let stopped = false;
  let superseded = false;

  const onHeartbeat = (heartbeat: ReceivedHeartbeat) => {
    if (stopped || superseded) return;
    const current = options.leadership.current();
    if (current.state !== "leading" || heartbeat.generation <= current.generation) return;
    if (options.handingOverTo() === heartbeat.generation) return;
    superseded = true;
    options.leadership.record({
      generation: heartbeat.generation,
      state: "superseded",
      leader: leaderOfHeartbeat(heartbeat),
    });
    logger.warn(
      {
        generation: current.generation,
        newer: heartbeat.generation,
        provider: heartbeat.provider,
        relay: heartbeat.relayUri,
      },
      `superseded: generation ${heartbeat.generation} leads elsewhere; this instance (generation ${current.generation}) stops acting`,
    );
    options.onSuperseded(heartbeat);
  };

  const follow = async (relay: string): Promise<void> => {
    if (stopped) return;
    try {
      const watch = await watchHeartbeats({
        relay,
        pubkeys: [options.pubkey],
        onHeartbeat,
        onClose: (reason) => {
          watches.delete(relay);
          if (stopped) return;
          logger.debug({ relay, reason }, "heartbeat subscription closed: subscribing again");
          setTimeout(() => void follow(relay), RESUBSCRIBE_MS).unref();
        },
      });
      if (stopped) watch.close();
      else watches.set(relay, watch);
    } catch (error) {
      logger.debug(
        { relay, reason: (error as Error).message },
        "relay not reachable for the generation watch",
      );
      setTimeout(() => void follow(relay), RESUBSCRIBE_MS).unref();
    }
  };

  for (const relay of options.relays) void follow(relay);
  return {
    stop() {
      stopped = true;
      for (const watch of watches.values()) watch.close();
      watches.clear();
    },
  };
}
