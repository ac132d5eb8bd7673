import type {
  ChildIdentity,
  ChildLocation,
  ChildPlan,
  ChildRecord,
} from "../machines/reproduction/reproduction.types.js";
import type { RosterMember } from "../services/family/family-roster.js";

/** The relay's load, for the reproduction triggers. */
export interface FamilyTraffic {
  eventsPerSecond: number;
  openConnections: number;
  storedBytes: number;
  /** Events accepted by kind (absent: not counted, and the specialization trigger stays quiet). */
  eventsByKind?: Readonly<Record<string, number>>;
}

/** A provider online in the market, with its region attribute if it has one. */
export interface MarketProvider {
  address: string;
  region: string | null;
}

/**
 * What the reproduction actors do outside the agent (DESIGN §13), built by the runtime from the
 * parent's keys and network: each call is at-least-once and resumes by its key.
 */
export interface FamilyOperations {
  /** The child's public identity at `index` (its mnemonic derives from ours; it is never returned). */
  childIdentity(index: number): ChildIdentity;
  /** Deploys the child from its own account and activates it, until it leads itself. */
  deploy(o: {
    key: string;
    child: ChildIdentity;
    plan: ChildPlan;
    avoidProviders: string[];
    signal: AbortSignal;
  }): Promise<ChildLocation>;
  /**
   * A new deployment for a silent child whose lease is gone, from its latest backup. `alive` when its
   * lease is still there (nothing is done).
   */
  resurrect(o: {
    key: string;
    child: ChildRecord;
    avoidProviders: string[];
    signal: AbortSignal;
  }): Promise<({ outcome: "resurrected" } & ChildLocation) | { outcome: "alive"; reason: string }>;
  /** Closes the child's deployments, sweeps its account back to us, revokes its grants. */
  retire(o: { key: string; child: ChildRecord; signal: AbortSignal }): Promise<void>;
  /**
   * Tells every living child (`members`) the family's roster and its siblings' secrets, encrypted to
   * each (DESIGN §13: the eldest live sibling acts when the parent is gone). Absent: no roster.
   */
  publishRoster?(members: readonly RosterMember[]): Promise<void>;
  /** The relay's traffic now; null before the relay runs. */
  traffic(): FamilyTraffic | null;
  /** The providers online in the market (Console API). */
  marketProviders(): Promise<MarketProvider[]>;
  /** The provider and region this agent runs on now, if known. */
  ownPlace(): { provider: string | null; region: string | null };
}
