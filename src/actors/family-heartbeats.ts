import { fromCallback } from "xstate";
import type { Logger } from "../logging/index.js";
import type { ReceivedHeartbeat } from "../services/nostr/heartbeat-event.js";
import { type HeartbeatWatch, memberPubkey, watchHeartbeats } from "../services/nostr/heartbeat-reader.js";

/** A child whose heartbeats are watched: its agent id and its Nostr key (npub1… or hex). */
export interface WatchedChild {
  readonly childId: string;
  readonly npub: string;
}

export interface FamilyHeartbeatsInput {
  readonly relays: readonly string[];
  readonly children: readonly WatchedChild[];
}

/** A child's heartbeat, as the parent's machine receives it. */
export interface ChildHeartbeatEvent {
  readonly type: "CHILD.HEARTBEAT";
  readonly childId: string;
  /** When the child made it (ms since the epoch, from the signed heartbeat's time). */
  readonly at: number;
  readonly generation: number;
  readonly leaseState: string;
  readonly provider: string | null;
  readonly runwayDays: number | null;
}

/** Sent to the watcher when the family changes: it then follows exactly these children. */
export interface FamilyChildrenEvent {
  readonly type: "FAMILY.CHILDREN";
  readonly children: readonly WatchedChild[];
}

/** How long after a relay dropped (or could not be reached) the watcher subscribes again. */
const RESUBSCRIBE_MS = 2_000;

/** The children by hex public key; a key that is not an npub (or hex) is left out, with a warning. */
function childrenByPubkey(children: readonly WatchedChild[], log: Logger): Map<string, string> {
  const byPubkey = new Map<string, string>();
  for (const child of children) {
    try {
      byPubkey.set(memberPubkey(child.npub, `child ${child.childId} npub`), child.childId);
    } catch (error) {
      log.warn({ childId: child.childId, reason: (error as Error).message }, "child not watched");
    }
  }
  return byPubkey;
}

/**
 * Follows the children's heartbeats (DESIGN §13, life) on the given relays with one subscription per
 * relay for every child's key (the kind and `d` tag the heartbeat actor publishes, parsed and verified
 * as every other heartbeat reader does), and sends the parent one `CHILD.HEARTBEAT` per new heartbeat
 * (the same event seen on two relays is sent once, an older one never after a newer). It subscribes
 * again after a relay drops, and when `FAMILY.CHILDREN` names a different family.
 */
export function createFamilyHeartbeatsActor(services: { logger: Logger; resubscribeMs?: number }) {
  return fromCallback<FamilyChildrenEvent, FamilyHeartbeatsInput>(({ input, sendBack, receive }) => {
    const log = services.logger.child({ actor: "familyHeartbeats" });
    const resubscribeMs = services.resubscribeMs ?? RESUBSCRIBE_MS;
    const watches = new Map<string, HeartbeatWatch>();
    const timers = new Set<NodeJS.Timeout>();
    let byPubkey = childrenByPubkey(input.children, log);
    /** Bumped on every change of family: callbacks of an older subscription are ignored. */
    let round = 0;
    let stopped = false;
    const newest = new Map<string, { createdAt: number; eventIds: Set<string> }>();

    const onHeartbeat = (heartbeat: ReceivedHeartbeat) => {
      const childId = byPubkey.get(heartbeat.pubkey);
      if (childId === undefined || heartbeat.agentId !== childId) return;
      const last = newest.get(childId);
      if (last && (heartbeat.createdAt < last.createdAt || last.eventIds.has(heartbeat.eventId))) return;
      if (last && heartbeat.createdAt === last.createdAt) last.eventIds.add(heartbeat.eventId);
      else newest.set(childId, { createdAt: heartbeat.createdAt, eventIds: new Set([heartbeat.eventId]) });
      sendBack({
        type: "CHILD.HEARTBEAT",
        childId,
        at: Date.parse(heartbeat.at),
        generation: heartbeat.generation,
        leaseState: heartbeat.leaseState,
        provider: heartbeat.provider,
        runwayDays: heartbeat.runwayDays,
      } satisfies ChildHeartbeatEvent);
    };

    const later = (subscribe: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        subscribe();
      }, resubscribeMs);
      timer.unref();
      timers.add(timer);
    };

    const follow = async (relay: string, at: number): Promise<void> => {
      if (stopped || at !== round || byPubkey.size === 0) return;
      try {
        const watch = await watchHeartbeats({
          relay,
          pubkeys: [...byPubkey.keys()],
          onHeartbeat: (heartbeat) => {
            if (at === round) onHeartbeat(heartbeat);
          },
          onClose: (reason) => {
            if (watches.get(relay) === watch) watches.delete(relay);
            if (stopped || at !== round) return;
            log.debug({ relay, reason }, "children's heartbeats: relay dropped, subscribing again");
            later(() => void follow(relay, at));
          },
        });
        if (stopped || at !== round) {
          watch.close();
          return;
        }
        watches.set(relay, watch);
      } catch (error) {
        log.debug({ relay, reason: (error as Error).message }, "children's heartbeats: relay not reachable");
        later(() => void follow(relay, at));
      }
    };

    const subscribeAll = () => {
      round += 1;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const watch of watches.values()) watch.close();
      watches.clear();
      for (const relay of new Set(input.relays)) void follow(relay, round);
    };

    receive((event) => {
      if (event.type !== "FAMILY.CHILDREN") return;
      const next = childrenByPubkey(event.children, log);
      const same =
        next.size === byPubkey.size && [...next].every(([pubkey, id]) => byPubkey.get(pubkey) === id);
      if (same) return;
      byPubkey = next;
      subscribeAll();
    });

    subscribeAll();
    return () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      for (const watch of watches.values()) watch.close();
      watches.clear();
    };
  });
}
