import { type EventObject, fromCallback, fromPromise } from "xstate";
import { EffectError } from "../domain/index.js";
import type {
  CheckSiblingsOutput,
  FollowRosterInput,
  ResurrectSiblingInput,
  ResurrectSiblingOutput,
} from "../machines/sibling-watch/sibling-watch.actors.js";
import type { SiblingRosterEvent } from "../machines/sibling-watch/sibling-watch.events.js";
import { type RosterWatch, watchRoster } from "../services/family/family-roster-relays.js";
import type { AgentServices } from "./agent-services.js";
import { createFamilyHeartbeatsActor } from "./family-heartbeats.js";

/** How long after a relay dropped (or could not be reached) the roster follower subscribes again. */
const RESUBSCRIBE_MS = 2_000;

/** The sibling watch's actors over the agent's services (a child's: `services.siblings`). */
export function createSiblingActors(
  services: Pick<AgentServices, "logger" | "now" | "siblings">,
  options: { resubscribeMs?: number } = {},
) {
  const log = services.logger.child({ actor: "siblingWatch" });
  const resubscribeMs = options.resubscribeMs ?? RESUBSCRIBE_MS;
  /** This process's start of watching: heartbeats from before it (a restored state's) prove no silence. */
  const watchingSince = services.now();
  const siblings = () => {
    if (!services.siblings) {
      throw new EffectError(
        "fatal",
        "this agent has no sibling operations (it runs without reproduction.parent or its network): it cannot resurrect a sibling",
      );
    }
    return services.siblings;
  };

  return {
    /** The parent's rosters for this agent on every relay; the newest is sent on (public part only). */
    followRoster: fromCallback<EventObject, FollowRosterInput>(({ input, sendBack }) => {
      if (!services.siblings) return () => {};
      const reader = services.siblings.rosterReader(input.parentNpub);
      const watches = new Map<string, RosterWatch>();
      const timers = new Set<NodeJS.Timeout>();
      let stopped = false;
      let newest = 0;
      const follow = async (relay: string): Promise<void> => {
        if (stopped) return;
        const again = () => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            void follow(relay);
          }, resubscribeMs);
          timer.unref();
          timers.add(timer);
        };
        try {
          const watch = await watchRoster({
            relay,
            reader,
            onRoster: (roster, createdAtSeconds) => {
              if (stopped || createdAtSeconds <= newest) return;
              newest = createdAtSeconds;
              log.info({ members: roster.members.map((m) => m.childId), relay }, "family roster received");
              sendBack({ type: "SIBLINGS.ROSTER", roster, createdAtSeconds } satisfies SiblingRosterEvent);
            },
            onClose: (reason) => {
              if (watches.get(relay) === watch) watches.delete(relay);
              if (stopped) return;
              log.debug({ relay, reason }, "family roster: relay dropped, subscribing again");
              again();
            },
          });
          if (stopped) watch.close();
          else watches.set(relay, watch);
        } catch (error) {
          log.debug({ relay, reason: (error as Error).message }, "family roster: relay not reachable");
          again();
        }
      };
      for (const relay of new Set(input.relays)) void follow(relay);
      return () => {
        stopped = true;
        for (const timer of timers) clearTimeout(timer);
        for (const watch of watches.values()) watch.close();
      };
    }),

    watchMemberHeartbeats: createFamilyHeartbeatsActor({ logger: services.logger }),

    checkSiblings: fromPromise<CheckSiblingsOutput, void>(async () => ({
      at: services.now(),
      watchingSince,
    })),

    resurrectSibling: fromPromise<ResurrectSiblingOutput, ResurrectSiblingInput>(
      async ({ input, signal }) => {
        const started = services.now();
        log.warn(
          { childId: input.childId, key: input.key, attempt: input.attempt },
          "the parent is gone and this agent is the eldest live sibling: resurrecting a silent sibling",
        );
        const result = await siblings().resurrect({
          key: input.key,
          childId: input.childId,
          attempt: input.attempt,
          avoidProviders: input.avoidProviders,
          signal,
        });
        const at = services.now();
        if (result.outcome === "alive") {
          log.info(
            { childId: input.childId, reason: result.reason },
            "the silent sibling still lives: not resurrected",
          );
          return { outcome: "alive", at, reason: result.reason };
        }
        log.info(
          { childId: input.childId, dseq: result.dseq, provider: result.provider, ms: at - started },
          "sibling resurrected: it leads itself again",
        );
        return { ...result, at };
      },
    ),
  };
}
