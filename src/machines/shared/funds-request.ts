/**
 * Money asked of the treasury. The treasury answers `TREASURY.REQUEST_GRANTED` or
 * `TREASURY.REQUEST_REFUSED` with the same `requestId`, routed to the actor named by `replyTo`.
 * A request may be sent again (after a timeout or a restore): the treasury handles a `requestId` once.
 */
export type FundsRequest =
  | {
      requestId: string;
      /** Make sure the agent holds this much ACT for a new deployment's deposit, within the caps. */
      purpose: "deployment_deposit";
      dseq: string;
      amountUact: string;
      replyTo: string;
    }
  | {
      requestId: string;
      /** Deposit this much into the deployment's escrow account. */
      purpose: "escrow_top_up";
      dseq: string;
      amountUact: string;
      replyTo: string;
    }
  | {
      requestId: string;
      /** Fund a child agent's account, within the per-child cap. */
      purpose: "child_funding";
      childAddress: string;
      amountUact: string;
      replyTo: string;
    };

/**
 * Why the treasury refused: the funds are not there (a CRO→AKT swap may bring them), a spend cap
 * forbids it, or paying failed.
 */
export type RefusalCause = "insufficient_funds" | "cap" | "failed";

/** The treasury's answer as the requester receives it. */
export type FundsAnswer =
  /** `at`: when the funds were in place (a top-up included on chain), when the treasury knows it. */
  | { type: "TREASURY.REQUEST_GRANTED"; requestId: string; at?: number }
  /** `cause` is absent in answers recorded before it existed: read as "failed". */
  | { type: "TREASURY.REQUEST_REFUSED"; requestId: string; reason: string; cause?: RefusalCause };

/** The answer as the treasury sends it to the agent, which routes it to `replyTo`. */
export type RoutedFundsAnswer = FundsAnswer & { replyTo: string };

export type AlertSeverity = "low" | "medium" | "high" | "critical";

/** An alert any machine raises; the agent delivers it to the operator's channels. */
export interface AlertNotice {
  type: "ALERT.RAISED";
  severity: AlertSeverity;
  title: string;
  message: string;
  source: string;
  /** Names the condition, so it is alerted once while it lasts (default: the title). */
  incident?: string;
  /** This notice says the condition is over (a "resolved" notice for `incident`). */
  resolves?: boolean;
}
