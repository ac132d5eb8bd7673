import type { EffectFailure } from "../shared/index.js";
import type { PublicRoster, SiblingResurrection } from "./sibling-watch.types.js";

export interface SiblingWatchSettings {
  /** A member whose last heartbeat is older than this is silent (`reproduction.silenceThresholdMs`). */
  silenceThresholdMs: number;
  /** How often the family's heartbeats are judged (`reproduction.heartbeatCheckMs`). */
  heartbeatCheckMs: number;
  /** The relays the family publishes its heartbeats and the parent its rosters on. */
  relays: string[];
  /** The parent (`reproduction.parent.npub`): only rosters it signed count. */
  parentNpub: string;
}

export interface SiblingWatchInput {
  agentId: string;
  settings: SiblingWatchSettings;
}

export interface SiblingWatchContext {
  agentId: string;
  settings: SiblingWatchSettings;
  roster: PublicRoster | null;
  /** created_at (s) of the roster event held, so an older copy from a slower relay never replaces it. */
  rosterCreatedAt: number;
  /** The newest heartbeat time (ms) seen of each member and of the parent, by agent id. */
  lastSeen: Record<string, number>;
  /** When this process began watching: nobody counts as silent from before it (a restart listens anew). */
  watchingSince: number | null;
  lastCheckAt: number | null;
  nextCheckAt: number | null;
  /** Per sibling: the silence window last tried and how many attempts were started in all. */
  attempts: Record<string, { window: number; count: number }>;
  resurrecting: SiblingResurrection | null;
  /** Per sibling: resurrections that succeeded (the next one takes a new data dir). */
  resurrected: Record<string, number>;
  lastOutcome: string | null;
  lastError: EffectFailure | null;
}

export function initialSiblingWatchContext(input: SiblingWatchInput): SiblingWatchContext {
  return {
    agentId: input.agentId,
    settings: input.settings,
    roster: null,
    rosterCreatedAt: 0,
    lastSeen: {},
    watchingSince: null,
    lastCheckAt: null,
    nextCheckAt: null,
    attempts: {},
    resurrecting: null,
    resurrected: {},
    lastOutcome: null,
    lastError: null,
  };
}
