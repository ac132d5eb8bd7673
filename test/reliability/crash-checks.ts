import type { LeaseView } from "../../src/runtime/lease-view.js";
import type { DailySpend, Intent, SpendKind } from "../../src/services/store/index.js";
import {
  amountOf,
  countOf,
  type MessageKind,
  messageKinds,
  type OwnerFootprint,
} from "../../support/owner-chain-footprint.js";
import type { ExpectedFootprint, RowFacts } from "./crash-flows.js";

const MESSAGE_NAMES: Record<MessageKind, string> = {
  mint: "MsgMintACT",
  createDeployment: "MsgCreateDeployment",
  closeDeployment: "MsgCloseDeployment",
  createLease: "MsgCreateLease",
  closeLease: "MsgCloseLease",
  deposit: "MsgAccountDeposit",
  startGroup: "MsgStartGroup",
};

/**
 * What is wrong on chain once a flow is complete: an open deployment that is not the agent's current
 * one (orphan), more than one active lease for its one need, a message signed more or fewer times than
 * the flow needs (a second mint, deployment, lease or deposit), or a flow-specific condition.
 */
export function chainProblems(
  footprint: OwnerFootprint,
  expected: ExpectedFootprint,
  current: LeaseView | null,
  facts: RowFacts,
): string[] {
  const problems: string[] = [];
  const currentDseq = current?.dseq ?? null;
  for (const dseq of footprint.activeDeployments) {
    if (expected.activeDeployments === 0 || dseq !== currentDseq) {
      problems.push(`orphaned deployment ${dseq} (the agent's current one is ${currentDseq ?? "none"})`);
    }
  }
  if (footprint.activeDeployments.length !== expected.activeDeployments) {
    problems.push(
      `${footprint.activeDeployments.length} open deployments, expected ${expected.activeDeployments}`,
    );
  }
  const needs = expected.activeDeployments;
  if (footprint.activeLeases.length > needs || footprint.activeLeases.length < needs) {
    const leases = footprint.activeLeases.map((lease) => `${lease.dseq}/${lease.oseq}@${lease.provider}`);
    problems.push(
      `${footprint.activeLeases.length} active leases for ${needs} need(s): ${leases.join(", ") || "none"}`,
    );
  }
  for (const lease of footprint.activeLeases) {
    if (current && (lease.dseq !== current.dseq || lease.provider !== current.provider)) {
      problems.push(
        `active lease ${lease.dseq}@${lease.provider} is not the agent's (${current.dseq}@${current.provider ?? "none"})`,
      );
    }
  }
  for (const kind of messageKinds) {
    const count = countOf(footprint, kind);
    if (count !== expected.messages[kind]) {
      problems.push(`${MESSAGE_NAMES[kind]} ×${count}, expected ×${expected.messages[kind]}`);
    }
  }
  problems.push(...(expected.check?.(footprint, facts) ?? []));
  return problems;
}

/** Which spending kind records which message's money. */
const LEDGER: ReadonlyArray<{ spend: SpendKind; message: MessageKind }> = [
  { spend: "mint_act", message: "mint" },
  { spend: "deployment_deposit", message: "createDeployment" },
  { spend: "escrow_deposit", message: "deposit" },
];

/**
 * Where the agent's own records disagree with the chain: each mint, deployment deposit and top-up on
 * chain has exactly one spending row of the same amount, and no intent is left pending once the
 * flow is complete.
 */
export function storeProblems(
  footprint: OwnerFootprint,
  /** The spending table's totals (per day and kind: every day the agent ran). */
  spending: readonly DailySpend[],
  pending: readonly Intent[],
): string[] {
  const problems: string[] = [];
  for (const { spend, message } of LEDGER) {
    const totals = spending.filter((entry) => entry.kind === spend);
    const rows = totals.reduce((sum, entry) => sum + entry.count, 0);
    const total = totals.reduce((sum, entry) => sum + entry.amount, 0n);
    const onChain = countOf(footprint, message);
    const chainTotal = amountOf(footprint, message);
    if (rows !== onChain || total !== chainTotal) {
      problems.push(
        `spending ${spend}: ${rows} row(s) of ${total} in total, the chain has ${onChain} ${MESSAGE_NAMES[message]} of ${chainTotal}`,
      );
    }
  }
  for (const intent of pending) problems.push(`intent ${intent.kind} left pending (${intent.key})`);
  return problems;
}
