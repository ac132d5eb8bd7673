import { AgentError } from "../errors.js";
import type { Logger } from "../logging/index.js";
import type { AkashChain, ProviderGateway } from "../services/akash/akash-service.js";
import type { ReceivedHeartbeat } from "../services/nostr/heartbeat-event.js";
import type { LeaderLocation, Leadership, LeadershipRepository } from "../services/store/index.js";
import { latestOwnHeartbeat } from "./leader-elsewhere.js";

/** Whether the recorded leader's lease still runs: on chain and at its provider. */
export interface LeaderLease {
  readonly gone: boolean;
  /** Why, in words that end up in a one-line refusal or a log line. */
  readonly detail: string;
}

/**
 * The recorded leader's lease is gone when its deployment is closed, it has no active lease, or the
 * lease's provider does not serve it (unreachable, or it holds no such lease): a provider that died
 * keeps its leases on chain until someone closes them, and withdraws nothing meanwhile.
 */
export async function leaderLeaseState(
  chain: Pick<AkashChain, "deployment" | "leases" | "provider">,
  gateway: Pick<ProviderGateway, "leaseStatus">,
  leader: LeaderLocation,
): Promise<LeaderLease> {
  const deployment = await chain.deployment(leader.dseq);
  if (!deployment || deployment.state === "closed") {
    return { gone: true, detail: `the leader's deployment ${leader.dseq} is closed` };
  }
  const leases = (await chain.leases(leader.dseq)).filter((lease) => lease.state === "active");
  const lease = leases.find((entry) => entry.provider === leader.provider) ?? leases[0];
  if (!lease) return { gone: true, detail: `the leader's deployment ${leader.dseq} has no active lease` };
  const provider = await chain.provider(lease.provider);
  if (!provider) {
    return { gone: true, detail: `the provider ${lease.provider} of lease ${leader.dseq} is not on chain` };
  }
  try {
    const status = await gateway.leaseStatus({ lease, hostUri: provider.hostUri });
    if (status === null) {
      return { gone: true, detail: `the provider ${lease.provider} no longer runs lease ${leader.dseq}` };
    }
  } catch (error) {
    return {
      gone: true,
      detail: `the provider ${lease.provider} of lease ${leader.dseq} does not answer (${(error as Error).message})`,
    };
  }
  return {
    gone: false,
    detail: `the leader's lease ${leader.dseq} is still active on provider ${lease.provider}, which runs it`,
  };
}

const LEASE_NOT_CHECKED = "the leader's lease was not checked";

/**
 * The leader a data directory may take the agent back from: the instance it handed over to, or, in a
 * copy of a deployed instance's own state (restored from that instance's backup: `leading`, with the
 * lease it ran in recorded), that instance. None for a bootstrap that never handed over.
 */
export function lostLeaderOf(leadership: Leadership): LeaderLocation | null {
  if (leadership.state === "handed_over") return leadership.leader;
  if (leadership.state === "leading" && leadership.generation > 0) return leadership.leader;
  return null;
}

function nothingToTakeBack(leadership: Leadership): string {
  return `the agent here is ${leadership.state.replace("_", " ")} (generation ${leadership.generation}), not handed over: there is nothing to take back`;
}

export type TakeBackVerdict =
  | { readonly allowed: true; readonly generation: number; readonly detail: string }
  | { readonly allowed: false; readonly reason: string };

/**
 * Whether a data directory that handed over may lead again (DESIGN §12): only when the agent is silent
 * (no heartbeat of the recorded generation or later within `silentAfterMs`) AND the leader's lease is
 * gone. The new generation is above every one seen, recorded or in heartbeats.
 */
export function judgeTakeBack(o: {
  leadership: Leadership;
  heartbeat: ReceivedHeartbeat | null;
  lease: LeaderLease | null;
  silentAfterMs: number;
  now: number;
}): TakeBackVerdict {
  const { leadership, heartbeat } = o;
  if (!lostLeaderOf(leadership)) return { allowed: false, reason: nothingToTakeBack(leadership) };
  if (heartbeat && heartbeat.generation >= leadership.generation) {
    const ageMs = Math.max(0, o.now - Date.parse(heartbeat.at));
    if (ageMs <= o.silentAfterMs) {
      return {
        allowed: false,
        reason: `the agent's heartbeat of generation ${heartbeat.generation} is fresh (${Math.round(ageMs / 1000)} s ago, relay ${heartbeat.relayUri ?? "unknown"}): its leader still runs`,
      };
    }
  }
  if (!o.lease) return { allowed: false, reason: LEASE_NOT_CHECKED };
  if (!o.lease.gone) return { allowed: false, reason: `${o.lease.detail}: its leader may still act` };
  const generation = Math.max(leadership.generation, heartbeat?.generation ?? 0) + 1;
  const last = heartbeat ? `last heartbeat ${heartbeat.at}` : "no heartbeat";
  return { allowed: true, generation, detail: `${o.lease.detail}; ${last}` };
}

export interface TakeBackDeps {
  readonly leadership: Pick<LeadershipRepository, "current" | "record">;
  readonly chain: Pick<AkashChain, "deployment" | "leases" | "provider">;
  readonly gateway: Pick<ProviderGateway, "leaseStatus">;
  readonly relays: readonly string[];
  /** The agent's own Nostr public key (hex). */
  readonly pubkey: string;
  readonly silentAfterMs: number;
  readonly now: () => number;
  readonly logger: Logger;
}

/** Reads the heartbeats and the leader's lease and judges (see {@link judgeTakeBack}); records nothing. */
export async function assessTakeBack(deps: TakeBackDeps): Promise<TakeBackVerdict> {
  const leadership = deps.leadership.current();
  const lost = lostLeaderOf(leadership);
  if (!lost) {
    return judgeTakeBack({ leadership, heartbeat: null, lease: null, silentAfterMs: 0, now: deps.now() });
  }
  if (deps.relays.length === 0) {
    return {
      allowed: false,
      reason:
        "no Nostr relay to read the agent's heartbeats from: set nostr.relays to the relays it publishes to",
    };
  }
  const heartbeat = await latestOwnHeartbeat(deps.relays, deps.pubkey, deps.logger);
  const beforeChain = judgeTakeBack({
    leadership,
    heartbeat,
    lease: null,
    silentAfterMs: deps.silentAfterMs,
    now: deps.now(),
  });
  // The chain is asked only once the heartbeats allow it.
  if (!beforeChain.allowed && beforeChain.reason !== LEASE_NOT_CHECKED) return beforeChain;
  const lease = await leaderLeaseState(deps.chain, deps.gateway, lost);
  return judgeTakeBack({ leadership, heartbeat, lease, silentAfterMs: deps.silentAfterMs, now: deps.now() });
}

/**
 * `run --take-back`: records `leading` with the next generation, or throws (exit code 3) naming why not.
 * The agent then starts from its stored state; the chain is the source of truth for its lease.
 */
export async function takeBack(deps: TakeBackDeps): Promise<number> {
  const verdict = await assessTakeBack(deps);
  if (!verdict.allowed) throw new AgentError(`--take-back refused: ${verdict.reason}`, 3);
  return recordTakeBack(deps, verdict);
}

/** Records the verdict's generation as leading here (the TxExecutor acts again from now on). */
export function recordTakeBack(
  deps: Pick<TakeBackDeps, "leadership" | "logger">,
  verdict: Extract<TakeBackVerdict, { allowed: true }>,
): number {
  const before = deps.leadership.current();
  deps.leadership.record({ generation: verdict.generation, state: "leading", leader: null });
  deps.logger.warn(
    { generation: verdict.generation, previous: before.generation, leader: before.leader },
    `taking the agent back as generation ${verdict.generation}: ${verdict.detail}`,
  );
  return verdict.generation;
}
