import type { RosterReader } from "../services/family/family-roster-relays.js";

export type SiblingResurrectionResult =
  | { outcome: "resurrected"; dseq: string; provider: string; uri: string; generation: number }
  /** The sibling's take-back refused (exit 3): it still beats or its lease still runs. */
  | { outcome: "alive"; reason: string };

/**
 * What a child's sibling watch does outside the agent (DESIGN §13, life), built by the runtime from
 * the child's own keys and config (`reproduction.parent`). Each call is at-least-once and resumes by
 * its key and data dir.
 */
export interface SiblingOperations {
  /** Who this agent is to the parent's rosters (its Nostr key), and whose signature counts. */
  rosterReader(parentNpub: string): RosterReader;
  /**
   * Reads the parent's latest roster from the relays for the sibling's secrets (held in memory for this
   * call only) and runs the parent's resurrection runner with them, in
   * `<dataDir>/siblings/<childId>/resurrection-<attempt>`.
   */
  resurrect(o: {
    key: string;
    childId: string;
    attempt: number;
    avoidProviders: readonly string[];
    signal: AbortSignal;
  }): Promise<SiblingResurrectionResult>;
}
