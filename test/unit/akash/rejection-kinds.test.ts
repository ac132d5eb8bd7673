import { describe, expect, it } from "vitest";
import { classifyRejection } from "../../../src/services/akash/chain-failures.js";

describe("a deposit the grants and the balance cannot cover", () => {
  // The node wraps market 28 with fmt, so DeliverTx reports codespace "undefined", code 1, text intact
  // (reference/akash-authz-facts.md); the devnet now answers the same way.
  it("is insufficient funds whichever codespace carries it", () => {
    const log = "deposit invalid: insufficient balance";
    expect(classifyRejection({ codespace: "undefined", code: 1, log })).toBe("insufficient_funds");
    expect(classifyRejection({ codespace: "market", code: 28, log })).toBe("insufficient_funds");
    expect(classifyRejection({ codespace: "undefined", code: 1, log: "something else" })).toBe("fatal");
  });
});
