import { describe, expect, it } from "vitest";
import { txHashBytes, txHashOf } from "../../../src/domain/index.js";

describe("CometBFT transaction hash", () => {
  it("is the upper-case hex SHA-256 of the raw bytes, as tx_search and tx take it", () => {
    const bytes = new TextEncoder().encode("abc");
    expect(txHashOf(bytes)).toBe("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    expect(Buffer.from(txHashBytes(bytes)).toString("hex").toUpperCase()).toBe(txHashOf(bytes));
  });
});
