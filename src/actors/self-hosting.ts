import type { LeaderLocation } from "../services/store/index.js";

/**
 * What an agent that runs inside its own lease (AGENT_ROLE=deployed) needs to move itself (DESIGN §12).
 * Absent elsewhere: a bootstrap or an embedding host manages a lease it does not live in.
 */
export interface SelfHosting {
  /** The public settings the next instance is activated with. */
  settings(): Record<string, unknown>;
  /** Copies the events of the relay at `uri` (the previous instance's) into this instance's relay. */
  importRelayEvents(uri: string): Promise<number>;
  /**
   * This instance handed over to `leader`: it stops acting (its actors), and only says where the agent
   * went. `standby`: an upgrade's handover; it watches the new leader and may take the agent back.
   */
  handedOver(result: { generation: number; leader: LeaderLocation; standby?: true }): void;
}
