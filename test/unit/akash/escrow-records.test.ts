import type { Types_Account as EscrowAccount } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { describe, expect, it } from "vitest";
import { escrowInfoOf } from "../../../src/services/akash/chain-records.js";

const account = (funds: string, transferred: string) =>
  ({
    state: {
      funds: [{ denom: "uact", amount: funds }],
      transferred: [{ denom: "uact", amount: transferred }],
      settledAt: 120n,
    },
  }) as unknown as EscrowAccount;

describe("escrow accounts as the chain reports them", () => {
  it("reads a funded account: what is left, and everything deposited", () => {
    expect(escrowInfoOf(account("14999806.24", "193.76"))).toEqual({
      balanceUact: "14999806.24",
      depositedUact: "15000000",
      settledAtHeight: 120,
    });
  });

  // Found by the fault matrix (escrow drained): the health check threw on the overdraft, and the
  // agent took it for the chain being unreachable instead of redeploying.
  it("reads an overdrawn account (negative funds) as empty, all of its deposits paid out", () => {
    expect(escrowInfoOf(account("-15.57", "15000000"))).toEqual({
      balanceUact: "0",
      depositedUact: "15000000",
      settledAtHeight: 120,
    });
  });
});
