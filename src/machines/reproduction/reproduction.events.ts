import type { LeaseNotice } from "../lease/lease.events.js";
import type { AlertNotice, FundsAnswer } from "../shared/index.js";

export type ReproductionEvent =
  | { type: "REPRODUCTION.EVALUATE_NOW" }
  | { type: "CHILD.HEARTBEAT"; childId: string; at: number }
  | FundsAnswer
  /** What the child's lease actor tells the reproduction actor (its parent). */
  | LeaseNotice;

export type ReproductionNotice =
  | { type: "CHILD.ACTIVATED"; childId: string; akash: string; dseq: string }
  | { type: "CHILD.SILENT"; childId: string }
  | {
      type: "TREASURY.FUNDS_REQUESTED";
      requestId: string;
      purpose: "child_funding";
      childAddress: string;
      amountUact: string;
      replyTo: string;
    }
  | AlertNotice;
