import { spawn } from "node:child_process";
import { once } from "node:events";
import { platform } from "node:os";
import { describe, expect, it } from "vitest";
import { takeMachineSlot } from "../../support/machine-slots.js";

const slotsNamed = (count: number) => ({ name: `machine-slots-test-${process.pid}-${Math.random()}`, count });
/** Whether `promise` settles within 1.2 s: more than two of a waiting taker's tries. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  return done;
}

describe.skipIf(platform() !== "linux")("machine slots", () => {
  it("gives out `count` slots and the next taker waits until one is released", async () => {
    const slots = slotsNamed(2);
    const first = await takeMachineSlot(slots);
    const second = await takeMachineSlot(slots);
    const third = takeMachineSlot(slots);
    expect(await settled(third)).toBe(false);
    await second();
    const releaseThird = await third;
    await Promise.all([first(), releaseThird()]);
  });

  it("frees the slot of a process that was killed", async () => {
    const slots = slotsNamed(1);
    const holder = spawn(
      process.execPath,
      ["-e", `require("node:net").createServer().listen("\\0${slots.name}-0", () => console.log("held"))`],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await once(holder.stdout, "data");
    const waiting = takeMachineSlot(slots);
    expect(await settled(waiting)).toBe(false);
    holder.kill("SIGKILL");
    const release = await waiting;
    await release();
  });

  it("does not limit with a count of 0", async () => {
    const release = await takeMachineSlot(slotsNamed(0));
    await release();
  });
});
