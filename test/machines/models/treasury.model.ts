import type { SnapshotFrom } from "xstate";
import { type Balances, type TreasuryMachine, treasuryMachine } from "../../../src/machines/index.js";
import { errors, treasurySettings } from "../../support/machine-fixtures.js";
import type { MachineModel } from "../../support/model-paths.js";

const at = Date.UTC(2026, 10, 23, 12);
const rich: Balances = { uakt: "40000000", uact: "3000000", pendingMintUact: "0", croWei: "10", at };
const aktShort: Balances = { ...rich, uakt: "500000" };

function serialize(snapshot: SnapshotFrom<TreasuryMachine>): string {
  const c = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    balances: c.balances?.uakt ?? null,
    spent: c.spent.usd,
    queue: c.queue.map((request) => request.requestId),
    current: c.current?.requestId ?? null,
    answers: c.answers.map((answer) => `${answer.requestId}:${answer.granted}`).sort(),
    retries: Math.min(c.retries, treasurySettings.retry.maxRetries),
  });
}

export const treasuryModel: MachineModel<TreasuryMachine> = {
  machine: treasuryMachine,
  input: { agentId: "agent-test", settings: treasurySettings },
  serialize,
  // Two settled requests and one swap attempt show every interplay of the regions (caps, queue, answers).
  stopWhen: (snapshot) => snapshot.context.answers.length + snapshot.context.swaps >= 2,
  events: (snapshot) => {
    const c = snapshot.context;
    const seen = (id: string) =>
      c.current?.requestId === id ||
      c.queue.some((request) => request.requestId === id) ||
      c.answers.some((answer) => answer.requestId === id);
    // New work arrives only while the treasury is not busy, except the repeated deposit request,
    // which also covers queueing behind a request in progress.
    const idle = snapshot.matches({ serving: "idle", swapping: "idle" });
    return [
      // The deposit request may arrive again (timeout, restore): it must be answered, never paid twice.
      {
        type: "TREASURY.FUNDS_REQUESTED" as const,
        requestId: "deposit",
        purpose: "deployment_deposit" as const,
        dseq: "1001",
        amountUact: "500000",
        replyTo: "lease",
      },
      ...(seen("topup") || !idle
        ? []
        : [
            {
              type: "TREASURY.FUNDS_REQUESTED" as const,
              requestId: "topup",
              purpose: "escrow_top_up" as const,
              dseq: "1001",
              amountUact: "6000000",
              replyTo: "lease",
            },
          ]),
      ...(seen("child") || !idle
        ? []
        : [
            {
              type: "TREASURY.FUNDS_REQUESTED" as const,
              requestId: "child",
              purpose: "child_funding" as const,
              childAddress: "akash1child",
              amountUact: "4000000",
              replyTo: "reproduction",
            },
          ]),
      ...(idle
        ? [
            { type: "TREASURY.WALLET_LOW" as const, runwayDays: 3 },
            { type: "TREASURY.SWAP_NEEDED" as const, reason: "test" },
          ]
        : []),
    ];
  },
  outcomes: {
    readBalances: [
      { label: "rich", done: rich },
      { label: "akt short", done: aktShort },
      { label: "failed", error: errors.retryable },
    ],
    ensureAct: [
      { label: "ok", done: { at, mintedUact: "0" } },
      { label: "retryable", error: errors.retryable },
      { label: "no akt", error: errors.insufficientFunds },
      { label: "fatal", error: errors.fatal },
    ],
    topUpEscrow: [
      { label: "ok", done: { at } },
      { label: "retryable", error: errors.retryable },
      { label: "no akt", error: errors.insufficientFunds },
      { label: "fatal", error: errors.fatal },
    ],
    fundChild: [
      { label: "ok", done: { at } },
      { label: "retryable", error: errors.retryable },
      { label: "fatal", error: errors.fatal },
    ],
    swapCroForAkt: [
      { label: "ok", done: { at, receivedUakt: "4000000", spentUsd: 2 } },
      { label: "failed", error: errors.fatal },
    ],
    waitUntil: [{ label: "due", done: undefined }],
    waitFor: [{ label: "elapsed", done: undefined }],
  },
};
