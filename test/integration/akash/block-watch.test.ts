import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { BlockWatch } from "../../../src/services/akash/block-watch.js";
import { startTestDevnet } from "../../support/devnet.js";

describe("BlockWatch: new blocks over the devnet's CometBFT WebSocket", () => {
  let devnet: DevnetHandle;
  let watch: BlockWatch;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
    watch = new BlockWatch({ rpc: devnet.rpc });
  });

  afterAll(async () => {
    watch?.close();
    await devnet?.stop();
  });

  it("wakes at each new block with the height the node committed, one block after another", async () => {
    // A fallback far longer than a block: the waits end on the announcements.
    const heights: number[] = [];
    while (heights.length < 4) {
      await watch.nextBlock(60_000);
      if (watch.lastHeight !== null) heights.push(watch.lastHeight);
    }
    const last = heights.at(-1)!;
    expect(Number(devnet.height())).toBeGreaterThanOrEqual(last);
    // The first wake may be the subscription's first block; from then on, every block in turn.
    expect(heights.slice(1)).toEqual([heights[1]!, heights[1]! + 1, heights[1]! + 2]);
  });

  it("ends a wait when its signal aborts", async () => {
    const controller = new AbortController();
    const wait = watch.nextBlock(60_000, controller.signal);
    controller.abort();
    await expect(wait).resolves.toBeUndefined();
  });
});

describe("BlockWatch without a WebSocket", () => {
  it("falls back to the poll interval when the node cannot be reached, and never announces a height", async () => {
    const watch = new BlockWatch({ rpc: "http://127.0.0.1:9" });
    try {
      for (let i = 0; i < 4; i += 1) await watch.nextBlock(20);
      expect(watch.lastHeight).toBeNull();
    } finally {
      watch.close();
    }
  });
});
