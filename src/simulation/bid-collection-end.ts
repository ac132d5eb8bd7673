import { MAX_BIDS_PER_ORDER } from "../domain/index.js";

/** A bid of a simulated order: when its provider sent it. */
export interface TimedBid {
  readonly at: number;
}

export interface BidCollectionTiming {
  readonly blockMs: number;
  /** `bidding.quietBlocks`: after `minBids`, blocks without a new bid that end the collection. */
  readonly quietBlocks: number;
  readonly now: number;
}

/** When the collection ends, and whether a bid counts from its block (on chain) or from when it was sent. */
export interface BidCollectionEnd {
  readonly at: number;
  readonly byBlock: boolean;
}

/** The block a bid sent at `at` is on chain in (the next one). */
export const onChainAt = (at: number, blockMs: number) => (Math.floor(at / blockMs) + 1) * blockMs;

/**
 * When the lease's bid collection (the real `collectBids` actor) stops on a simulated order: once
 * `minBids` bids are there, or the window closes; with `quietBlocks`, only once no new bid has come on
 * chain for that many blocks after that (or the chain's 20 bids are in). The real actor also stops once
 * every registered provider the chain would accept a bid from on the order (`couldBid`) has bid. The
 * simulated market's providers have no placement attributes, audits or storage classes to miss, so
 * every one of them could bid on every order, and a simulated order draws only 3–15 of them: that rule
 * never fires here, and nothing in this function stands for it.
 */
export function bidCollectionEnd(
  bids: readonly TimedBid[],
  minBids: number,
  windowEnd: number,
  timing: BidCollectionTiming,
): BidCollectionEnd {
  const { blockMs, quietBlocks, now } = timing;
  if (quietBlocks === 0) {
    const enough = bids[minBids - 1];
    return { at: enough && enough.at < windowEnd ? Math.max(enough.at, now) : windowEnd, byBlock: false };
  }
  const landed = bids.map((bid) => onChainAt(bid.at, blockMs)).sort((a, b) => a - b);
  const enough = landed[minBids - 1];
  if (enough === undefined || enough >= windowEnd) return { at: windowEnd, byBlock: true };
  let lastNew = enough;
  for (let index = minBids; index < landed.length && index < MAX_BIDS_PER_ORDER; index += 1) {
    const next = landed[index] as number;
    if (next > lastNew + quietBlocks * blockMs) break;
    lastNew = next;
  }
  const count = landed.filter((at) => at <= lastNew).length;
  const end = count >= MAX_BIDS_PER_ORDER ? lastNew : lastNew + quietBlocks * blockMs;
  return { at: Math.max(Math.min(end, windowEnd), now), byBlock: true };
}
