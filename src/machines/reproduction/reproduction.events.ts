import type { AlertNotice, FundsAnswer } from "../shared/index.js";
import type { ChildRole } from "./reproduction.types.js";

export interface ChildHeartbeatEvent {
  type: "CHILD.HEARTBEAT";
  childId: string;
  at: number;
  generation?: number;
  leaseState?: string;
  provider?: string | null;
  runwayDays?: number | null;
}

export type ReproductionCommand =
  | { type: "REPRODUCTION.EVALUATE_NOW" }
  /** The operator asks for a child now (admin API), through the same gates as a trigger. */
  | { type: "REPRODUCTION.SPAWN"; requestId: string; role: ChildRole; region: string | null }
  | { type: "REPRODUCTION.RETIRE"; requestId: string; childId: string };

export type ReproductionEvent = ReproductionCommand | ChildHeartbeatEvent | FundsAnswer;

export type ReproductionNotice =
  | { type: "CHILD.ACTIVATED"; childId: string; akash: string; dseq: string }
  | { type: "CHILD.SILENT"; childId: string }
  | { type: "CHILD.RESURRECTED"; childId: string; dseq: string; provider: string }
  | { type: "CHILD.RETIRED"; childId: string }
  | {
      type: "TREASURY.FUNDS_REQUESTED";
      requestId: string;
      purpose: "child_funding";
      childAddress: string;
      amountUact: string;
      replyTo: string;
    }
  | AlertNotice;
