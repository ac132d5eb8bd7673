import { toBech32 } from "@cosmjs/encoding";
import { describe, expect, it } from "vitest";
import { MODULE_ADDRESSES } from "../../../src/devnet/chain/addresses.js";
import { escrowRefundOf, moduleAccountAddress, type TxEvent } from "../../../src/services/akash/index.js";

const owner = toBech32("akash", new Uint8Array(20).fill(7));
const escrow = moduleAccountAddress("escrow", "akash");
const provider = "akash1provider";
const transfer = (sender: string, recipient: string, amount: string): TxEvent => ({
  type: "transfer",
  attributes: [
    { key: "recipient", value: recipient },
    { key: "sender", value: sender },
    { key: "amount", value: amount },
  ],
});

describe("escrow refunds from a close tx's events", () => {
  it("derives the escrow module address as the chain does", () => {
    expect(escrow).toBe(MODULE_ADDRESSES.escrow);
  });

  it("sums the uact the escrow module sent to the owner, nothing else", () => {
    const events: TxEvent[] = [
      transfer(owner, "akash1feecollector", "5000uakt"), // the fee
      transfer(escrow, provider, "120000uact"), // the provider's last payment
      transfer(escrow, owner, "4200000uact"),
      transfer(escrow, owner, "7uakt,300uact"),
      {
        type: "coin_received",
        attributes: [
          { key: "receiver", value: owner },
          { key: "amount", value: "9uact" },
        ],
      },
    ];
    expect(escrowRefundOf(events, owner)).toBe(4_200_300n);
    expect(escrowRefundOf([transfer(escrow, provider, "1uact")], owner)).toBe(0n);
    expect(escrowRefundOf([], owner)).toBe(0n);
  });
});
