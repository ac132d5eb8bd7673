import { describe, expect, it } from "vitest";
import { pollUntil } from "../../../src/actors/poll-until.js";

/**
 * Polls the clock, done at its `doneAt`-th read, on a clock moved only by the waits; returns the waits
 * and the last reading.
 */
async function poll(
  doneAt: number,
  options: { intervalMs: number; firstIntervalMs?: number; deadline?: number },
): Promise<{ waits: number[]; last: number }> {
  let now = 0;
  let reads = 0;
  const waits: number[] = [];
  const last = await pollUntil({
    deadline: 60_000,
    ...options,
    read: async () => {
      reads += 1;
      return now;
    },
    done: () => reads >= doneAt,
    now: () => now,
    signal: new AbortController().signal,
    pause: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  return { waits, last };
}

describe("pollUntil", () => {
  it("waits intervalMs between reads", async () => {
    expect((await poll(4, { intervalMs: 2_000 })).waits).toEqual([2_000, 2_000, 2_000]);
  });

  it("with firstIntervalMs, starts there and grows by a quarter up to intervalMs", async () => {
    expect((await poll(14, { intervalMs: 1_000, firstIntervalMs: 250 })).waits).toEqual([
      250, 313, 392, 490, 613, 767, 959, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000,
    ]);
  });

  it("never waits past the deadline, and returns the last reading there", async () => {
    const { waits, last } = await poll(Number.POSITIVE_INFINITY, { intervalMs: 2_000, deadline: 4_500 });
    expect(waits).toEqual([2_000, 2_000, 500]);
    expect(last).toBe(4_500);
  });
});
