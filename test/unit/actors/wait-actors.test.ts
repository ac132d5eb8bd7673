import { afterEach, describe, expect, it, vi } from "vitest";
import { createActor, waitFor } from "xstate";
import { createWaitActors } from "../../../src/actors/wait-actors.js";

const DAY = 86_400_000;

describe("wait actors", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits for an absolute time further away than setTimeout can count (30 days)", async () => {
    vi.useFakeTimers({ now: 0 });
    const actor = createActor(createWaitActors(Date.now).waitUntil, { input: { until: 30 * DAY } }).start();
    await vi.advanceTimersByTimeAsync(25 * DAY);
    expect(actor.getSnapshot().status).toBe("active");
    await vi.advanceTimersByTimeAsync(5 * DAY);
    await waitFor(actor, (snapshot) => snapshot.status === "done");
  });

  it("resolves at once for a deadline already past, and when stopped", async () => {
    const past = createActor(createWaitActors().waitUntil, { input: { until: Date.now() - 1 } }).start();
    await waitFor(past, (snapshot) => snapshot.status === "done");
    const long = createActor(createWaitActors().waitFor, { input: { ms: DAY } }).start();
    long.stop();
    expect(long.getSnapshot().status).toBe("stopped");
  });
});
