import type { HealthNotice } from "../health/health.events.js";
import type { KeyRotationNotice } from "../keys/keys.events.js";
import type { KeyName } from "../keys/keys.types.js";
import type { LeaseEvent, LeaseNotice } from "../lease/lease.events.js";
import type {
  ChildHeartbeatEvent,
  ReproductionCommand,
  ReproductionNotice,
} from "../reproduction/reproduction.events.js";
import type { SiblingWatchSettings } from "../sibling-watch/sibling-watch.context.js";
import type { TreasuryNotice } from "../treasury/treasury.events.js";

/** Commands a host (CLI, HTTP admin API) sends the agent. */
export type AgentCommand =
  | { type: "AGENT.SHUTDOWN"; terminateLease: boolean }
  /** Try again after the lease failed (it waits in `failed` for this). */
  | { type: "LEASE.RETRY" }
  | ChildHeartbeatEvent
  /** The operator's family commands (admin API `spawn` / `retire`). */
  | Exclude<ReproductionCommand, { type: "REPRODUCTION.EVALUATE_NOW" }>
  /** Start the sibling watch of a child restored from a snapshot taken before it had one (no-op otherwise). */
  | { type: "SIBLINGS.WATCH"; settings: SiblingWatchSettings }
  /** The keys this process can rotate, sent at start (a restored agent keeps the plan it was saved with). */
  | { type: "KEYS.SCHEDULE"; rotating: KeyName[] }
  /** Run another image of the agent (admin API `upgrade`, or a changed `agent.image`): issue 18. */
  | Extract<LeaseEvent, { type: "LEASE.UPGRADE" }>
  /**
   * The health monitor reports anew whatever still holds for the lease it watches (a take-back sends it
   * while the restored lease rests on the lost leader's: the restored reports were the lost leader's).
   */
  | { type: "HEALTH.REASSESS" };

/** Everything the agent receives: commands from outside and notices from its children. */
export type AgentEvent =
  | AgentCommand
  | LeaseNotice
  | HealthNotice
  | KeyRotationNotice
  | TreasuryNotice
  | ReproductionNotice
  | { type: "TREASURY.SWAP_NEEDED"; reason: string };
