import { describe, expect, it } from "vitest";
import { pollUntil } from "../../../src/actors/poll-until.js";

/** Polls a counter that is done at its `doneAt`-th read, on a clock moved only by the recorded waits. */
async function waitsUntilDone(doneAt: number, options: { intervalMs: number; firstIntervalMs?: number }) {
  let now = 0;
  let reads = 0;
  const waits: number[] = [];
  await pollUntil({
    ...options,
    read: async () => ++reads,
    done: (count) => count >= doneAt,
    deadline: 60_000,
    now: () => now,
    signal: new AbortController().signal,
    pause: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  return waits;
}

describe("pollUntil", () => {
  it("waits intervalMs between reads", async () => {
    expect(await waitsUntilDone(4, { intervalMs: 2_000 })).toEqual([2_000, 2_000, 2_000]);
  });

  it("with firstIntervalMs, starts there and grows by a quarter up to intervalMs", async () => {
    expect(await waitsUntilDone(14, { intervalMs: 1_000, firstIntervalMs: 250 })).toEqual([
      250, 313, 392, 490, 613, 767, 959, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000,
    ]);
  });

  it("never waits past the deadline", async () => {
    let now = 0;
    const waits: number[] = [];
    const last = await pollUntil({
      read: async () => now,
      done: () => false,
      intervalMs: 2_000,
      deadline: 4_500,
      now: () => now,
      signal: new AbortController().signal,
      pause: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    expect(waits).toEqual([2_000, 2_000, 500]);
    expect(last).toBe(4_500);
  });
});
