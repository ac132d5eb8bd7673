import { type AnyActorRef, fromCallback } from "xstate";
import { relayUriOf } from "../domain/index.js";
import type { Heartbeat } from "../services/nostr/index.js";
import type { AgentServices } from "./agent-services.js";

/** How often the lease's URI is looked at, at most (a changed URI is announced at the next look). */
const URI_CHECK_MS = 2_000;
const HOURS_PER_DAY = 24;

interface LeaseSnapshotLike {
  value: unknown;
  context?: {
    lease?: { provider?: string; uris?: string[] } | null;
    escrowRunwayHours?: number | null;
  };
}

function stateName(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object") return "unknown";
  return Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => (child === undefined ? key : `${key}.${stateName(child)}`))
    .join(" + ");
}

/** What the heartbeat says about the lease, read from the lease actor (none yet: `starting`). */
function leaseFacts(lease: AnyActorRef | undefined) {
  const snapshot = lease?.getSnapshot() as LeaseSnapshotLike | undefined;
  const context = snapshot?.context;
  const runwayHours = context?.escrowRunwayHours ?? null;
  return {
    leaseState: snapshot ? stateName(snapshot.value) : "starting",
    provider: context?.lease?.provider ?? null,
    runwayDays: runwayHours === null ? null : Number((runwayHours / HOURS_PER_DAY).toFixed(3)),
    relayUri: relayUriOf(context?.lease?.uris ?? []),
  };
}

/**
 * The agent's voice on Nostr, invoked by the root as `heartbeat`: a signed heartbeat (agent id,
 * generation, lease state, provider, runway, relay URI, version) at a fixed interval, and the NIP-65
 * relay list whenever the lease's relay URI changes. Both are replaceable events, so repeating one
 * after a restart is harmless; failures are logged and tried again at the next tick. Without an
 * announcer it does nothing.
 */
export function createHeartbeatActor(
  services: Pick<AgentServices, "announcer" | "keys" | "logger" | "now" | "version"> & {
    store?: Pick<AgentServices["store"], "leadership">;
  },
) {
  return fromCallback(({ system }) => {
    const announcer = services.announcer;
    if (!announcer) return () => {};
    const { publisher, heartbeatIntervalMs } = announcer;
    const log = services.logger.child({ actor: "heartbeat" });
    let beating = false;
    let announcedUri: string | null = null;
    let announcing = false;

    const beat = () => {
      if (beating) return;
      beating = true;
      const heartbeat: Heartbeat = {
        agentId: services.keys.identity.agentId,
        generation: services.store?.leadership.current().generation ?? 0,
        ...leaseFacts(system.get("lease")),
        at: new Date(services.now()).toISOString(),
        ...(services.version ? { version: { ...services.version } } : {}),
      };
      publisher
        .publishHeartbeat(heartbeat)
        .then(
          (outcome) =>
            log.debug({ relays: outcome.accepted, leaseState: heartbeat.leaseState }, "heartbeat published"),
          (error: unknown) =>
            log.warn({ err: error }, "heartbeat not published; trying again at the next one"),
        )
        .finally(() => {
          beating = false;
        });
    };

    const announceRelay = () => {
      const { relayUri } = leaseFacts(system.get("lease"));
      if (announcing || relayUri === null || relayUri === announcedUri) return;
      announcing = true;
      publisher
        .publishRelayList(relayUri)
        .then(
          () => {
            announcedUri = relayUri;
            log.info({ relayUri }, "relay list published (NIP-65)");
          },
          (error: unknown) => log.warn({ err: error, relayUri }, "relay list not published; trying again"),
        )
        .finally(() => {
          announcing = false;
        });
    };

    beat();
    const beats = setInterval(beat, heartbeatIntervalMs);
    const looks = setInterval(announceRelay, Math.min(heartbeatIntervalMs, URI_CHECK_MS));
    return () => {
      clearInterval(beats);
      clearInterval(looks);
    };
  });
}
