import { afterEach, describe, expect, it } from "vitest";
import { escrowRefundedOn, recordEscrowRefund } from "../../../src/actors/escrow-refunds.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";
import { tempDirs } from "../store/fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  dirs.cleanup();
});

const noon = Date.UTC(2026, 11, 3, 12);

describe("escrow refunds in the spending ledger", () => {
  it("records a close's refund once under the close's key, and the treasury reads the day's total", () => {
    let now = noon;
    store = openAgentStore({ dataDir: dirs.make(), clock: () => now });
    const close = {
      key: "agent:close:1001",
      result: { alreadyDone: false as const, txHash: "CLOSE", height: 40, refundedUact: "4200000" },
    };
    expect(recordEscrowRefund(store, close)).toMatchObject({
      key: "agent:close:1001:refund",
      kind: "escrow_refund",
      amount: 4_200_000n,
      txHash: "CLOSE",
    });
    // The close re-run after a crash finds its tx done and reads the same refund: no second credit.
    now = noon + 60_000;
    recordEscrowRefund(store, {
      key: close.key,
      result: { alreadyDone: true, txHash: "CLOSE", refundedUact: "4200000" },
    });
    expect(escrowRefundedOn(store, now)).toBe(4_200_000n);

    // Closed by someone else (amount unknown) or nothing left: nothing recorded.
    expect(
      recordEscrowRefund(store, {
        key: "agent:close:1002",
        result: { alreadyDone: true, txHash: null, refundedUact: null },
      }),
    ).toBeNull();
    expect(
      recordEscrowRefund(store, {
        key: "agent:close:1003",
        result: { alreadyDone: false, txHash: "EMPTY", height: 41, refundedUact: "0" },
      }),
    ).toBeNull();
    expect(escrowRefundedOn(store, now)).toBe(4_200_000n);
    // The next UTC day starts from zero.
    expect(escrowRefundedOn(store, Date.UTC(2026, 11, 4, 0, 0, 1))).toBe(0n);
  });
});
