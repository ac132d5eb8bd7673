import { describe, expect, it } from "vitest";
import { bidCollectionEnd } from "../../../src/simulation/bid-collection-end.js";

const BLOCK = 6_000;
const bidsAt = (...seconds: number[]) => seconds.map((s) => ({ at: s * 1_000 }));

describe("when a simulated bid collection ends (as the real collectBids)", () => {
  it("without quietBlocks: when minBids were sent, else at the window", () => {
    const timing = { blockMs: BLOCK, quietBlocks: 0, now: 0 };
    expect(bidCollectionEnd(bidsAt(3, 5, 30), 2, 60_000, timing)).toEqual({ at: 5_000, byBlock: false });
    expect(bidCollectionEnd(bidsAt(3), 2, 60_000, timing)).toEqual({ at: 60_000, byBlock: false });
  });

  it("with quietBlocks: reads on while bids keep landing within that many blocks of the last", () => {
    const timing = { blockMs: BLOCK, quietBlocks: 2, now: 0 };
    // On chain at 6 s, 6 s, 12 s, 24 s (within 2 blocks of 12 s), then 54 s: 30 s after, too late.
    expect(bidCollectionEnd(bidsAt(1, 3, 7, 20, 50), 2, 120_000, timing)).toEqual({
      at: 24_000 + 2 * BLOCK,
      byBlock: true,
    });
    // The window still closes it.
    expect(bidCollectionEnd(bidsAt(1, 3, 7, 20), 2, 30_000, timing)).toEqual({ at: 30_000, byBlock: true });
    // Short of minBids: the window.
    expect(bidCollectionEnd(bidsAt(1), 2, 60_000, timing)).toEqual({ at: 60_000, byBlock: true });
  });

  it("stops once the chain's 20 bids per order are in", () => {
    const twenty = Array.from({ length: 20 }, () => ({ at: 1_000 }));
    expect(bidCollectionEnd(twenty, 3, 60_000, { blockMs: BLOCK, quietBlocks: 2, now: 0 })).toEqual({
      at: BLOCK,
      byBlock: true,
    });
  });
});
