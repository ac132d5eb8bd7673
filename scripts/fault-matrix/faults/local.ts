import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Fault } from "../fault-types.js";
import { movedAway, servingAgainSince, sleep } from "../row-waits.js";

const HOUR_MS = 3_600_000;

/** The agent's wall clock jumps 6 h ahead (an NTP step, a VM resumed), and stays there. */
export const clockJumpForward: Fault = {
  id: "clock-jump-forward",
  name: "clock jump forward",
  where: "the agent's wall clock (services.now) +6 h while the lease runs; timers unaffected",
  policy: "schedules fall due early, nothing is paid or moved for it; lease kept, checks go on",
  expect: "ride-out",
  phase: "while-active",
  async inject(context) {
    context.clock.jump(6 * HOUR_MS);
  },
  async clear(context) {
    context.clock.reset();
  },
  async settle(context) {
    await sleep(2_000);
    return servingAgainSince(context, context.clock.now());
  },
};

/** The agent's wall clock jumps 1 h back, and stays there. */
export const clockJumpBack: Fault = {
  id: "clock-jump-back",
  name: "clock jump back",
  where: "the agent's wall clock (services.now) −1 h while the lease runs; timers unaffected",
  policy: "nothing is paid or moved for it; health checks go on (none waits an hour for its next check)",
  expect: "ride-out",
  phase: "while-active",
  async inject(context) {
    context.clock.jump(-HOUR_MS);
  },
  async clear(context) {
    context.clock.reset();
  },
  async settle(context) {
    await sleep(2_000);
    return servingAgainSince(context, context.clock.now());
  },
};

const SMALL_DISK = "64m";
let mounted: string | null = null;

/** A tmpfs of SMALL_DISK for the agent's data directory (needs root; else the row is not injectable). */
async function smallDisk(workDir: string): Promise<string> {
  const dir = mkdtempSync(join(workDir, "small-disk-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${SMALL_DISK}`, "tmpfs", dir], { stdio: "pipe" });
  mounted = dir;
  return dir;
}

/** Writes zeros into a file on the agent's disk until it is full (ENOSPC). */
function fillDisk(dataDir: string): string {
  const filler = join(dataDir, "fault-matrix-filler");
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

/** The disk the store is on is full, reachable only by root: `mount` must work here. */
function mountAllowed(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  return "needs root to mount a small tmpfs for the store (run the matrix as root, e.g. in the CI container)";
}

/**
 * The disk under the agent's SQLite store is full (every WAL append fails: SQLITE_FULL) when the agent
 * must act: its provider goes offline, so a move needs intents recorded and snapshots written.
 */
export const storeDiskFull: Fault = {
  id: "store-disk-full",
  name: "disk full for the store",
  where: `the agent's data directory on a ${SMALL_DISK} tmpfs, filled to ENOSPC, then its provider offline; 8 s`,
  policy:
    "a write that fails ends the process before any effect it did not record; restarted by its supervisor once the disk has room, it resumes and completes the move",
  expect: "move",
  phase: "while-active",
  ...(mountAllowed() ? { notInjectable: mountAllowed() } : {}),
  dataDir: smallDisk,
  async dispose() {
    if (!mounted) return;
    const dir = mounted;
    mounted = null;
    try {
      execFileSync("umount", [dir], { stdio: "pipe" });
    } catch {
      // Still held open (an agent that could not close): detach it now, it goes when released.
      execFileSync("umount", ["-l", dir], { stdio: "pipe" });
    }
  },
  async inject(context) {
    context.facts.set("filler", fillDisk(context.agent().dataDir));
    const provider = context.baseline?.provider;
    if (!provider) throw new Error("no provider to take offline");
    context.facts.set("provider", provider);
    await context.devnet.setProviderOnline(provider, false);
  },
  async clear(context) {
    const filler = context.facts.get("filler");
    if (filler) {
      context.facts.delete("filler");
      rmSync(filler, { force: true });
    }
    const provider = context.facts.get("provider");
    if (provider) {
      context.facts.delete("provider");
      await context.devnet.setProviderOnline(provider, true);
    }
  },
  async settle(context) {
    await sleep(8_000);
    const during = context.agent().runtime.lease();
    const status = context.agent().runtime.actor.getSnapshot().status;
    const filler = context.facts.get("filler");
    if (filler) {
      context.facts.delete("filler");
      rmSync(filler, { force: true });
    }
    // A write that fails ends the agent (its process exits); the supervisor starts it again.
    const restarted = status !== "active";
    if (restarted) await context.restart();
    const moved = await movedAway(context);
    const how = restarted ? "restarted, resumed and " : "";
    return {
      at: moved.at,
      detail: `while full: lease ${during?.state}, agent ${status}; then ${how}${moved.detail}`,
    };
  },
};
