import { DepositAuthorization } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { toHex } from "@cosmjs/encoding";
import { describe, expect, it } from "vitest";
import {
  decodeDepositAuthorization,
  encodeDepositAuthorization,
} from "../../../src/services/akash/deposit-authorization.js";

const hex = (text: string) => toHex(new TextEncoder().encode(text));

describe("DepositAuthorization with spend_limits (field 3)", () => {
  it("encodes spend_limit = 0uakt, the scopes and one field-3 Coin per limit, sorted by denom", () => {
    const bytes = encodeDepositAuthorization({
      scopes: ["deployment"],
      spendLimits: [
        { denom: "uakt", amount: 5n },
        { denom: "uact", amount: 1_000_000n },
      ],
    });
    expect(toHex(bytes)).toBe(
      [
        `0a09 0a04${hex("uakt")} 1201${hex("0")}`,
        "1001", // scopes as chain-sdk writes them (unpacked; the chain reads either form)
        `1a0f 0a04${hex("uact")} 1207${hex("1000000")}`,
        `1a09 0a04${hex("uakt")} 1201${hex("5")}`,
      ]
        .join("")
        .replaceAll(" ", ""),
    );
    // chain-sdk 1.0.0-alpha.25 still reads fields 1 and 2 of it.
    expect(DepositAuthorization.decode(bytes)).toMatchObject({
      spendLimit: { denom: "uakt", amount: "0" },
      scopes: [1],
    });
  });

  it("reads the limits back, and an old grant's non-zero spend_limit separately", () => {
    const bytes = encodeDepositAuthorization({
      scopes: ["deployment", "bid"],
      spendLimits: [{ denom: "uact", amount: 7n }],
    });
    expect(decodeDepositAuthorization(bytes)).toEqual({
      scopes: ["deployment", "bid"],
      spendLimits: [{ denom: "uact", amount: 7n }],
    });
    const legacy = DepositAuthorization.encode(
      DepositAuthorization.fromPartial({ spendLimit: { denom: "uact", amount: "9" }, scopes: [1] }),
    ).finish();
    expect(decodeDepositAuthorization(legacy)).toEqual({
      scopes: ["deployment"],
      spendLimits: [],
      legacySpendLimit: { denom: "uact", amount: 9n },
    });
  });

  it("refuses what the chain's ValidateBasic refuses", () => {
    const limit = [{ denom: "uact", amount: 1n }];
    expect(() => encodeDepositAuthorization({ scopes: [], spendLimits: limit })).toThrow(/scope/);
    expect(() => encodeDepositAuthorization({ scopes: ["bid", "bid"], spendLimits: limit })).toThrow(
      /duplicate/,
    );
    expect(() =>
      encodeDepositAuthorization({ scopes: ["deployment"], spendLimits: [{ denom: "uact", amount: 0n }] }),
    ).toThrow(/positive/);
    expect(() =>
      encodeDepositAuthorization({ scopes: ["deployment"], spendLimits: [...limit, ...limit] }),
    ).toThrow(/two limits/);
    expect(() => decodeDepositAuthorization(Uint8Array.from([0x1a, 0x05, 0x0a]))).toThrow(
      /truncated|premature EOF/,
    );
  });
});
