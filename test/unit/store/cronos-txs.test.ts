import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openAgentStore, StoreError } from "../../../src/services/store/index.js";

describe("store: signed Cronos transactions of a treasury leg", () => {
  it("keeps every transaction of a leg in order and refuses a replacement with another nonce", () => {
    const store = openAgentStore({ dataDir: mkdtempSync(join(tmpdir(), "cronos-txs-")), clock: () => 1000 });
    try {
      const first = store.cronosTxs.record({
        intentKey: "need:swap",
        nonce: 7,
        txHash: "0xaa",
        rawTx: "0x02aa",
        maxFeePerGas: "100",
      });
      expect(first).toEqual({
        intentKey: "need:swap",
        attempt: 0,
        nonce: 7,
        txHash: "0xaa",
        rawTx: "0x02aa",
        maxFeePerGas: "100",
        createdAt: 1000,
      });
      store.cronosTxs.record({
        intentKey: "need:swap",
        nonce: 7,
        txHash: "0xbb",
        rawTx: "0x02bb",
        maxFeePerGas: "113",
      });
      expect(store.cronosTxs.list("need:swap").map((tx) => [tx.attempt, tx.txHash])).toEqual([
        [0, "0xaa"],
        [1, "0xbb"],
      ]);
      expect(store.cronosTxs.latest("need:swap")?.txHash).toBe("0xbb");
      expect(() =>
        store.cronosTxs.record({
          intentKey: "need:swap",
          nonce: 8,
          txHash: "0xcc",
          rawTx: "0x02cc",
          maxFeePerGas: "200",
        }),
      ).toThrow(new StoreError("leg need:swap was signed with nonce 7; a replacement must reuse it, not 8"));
      expect(store.cronosTxs.list("other")).toEqual([]);
    } finally {
      store.close();
    }
  });
});
