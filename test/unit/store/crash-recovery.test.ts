import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { openAgentStore, restoreLatestSnapshot } from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";
import { blobFor, crashMachine } from "./fixtures/test-machines.js";

const dirs = tempDirs();
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
  dirs.cleanup();
});

const writer = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));

interface Progress {
  seq?: number;
  ticks?: number;
  started?: number | null;
}

/**
 * Runs the writer until it has reported `writes` persisted steps, then SIGKILLs it while it keeps
 * writing. Resolves with the highest seq it reported (committed before the report was sent).
 */
function runAndKill(
  dataDir: string,
  writes: number,
): Promise<{ reportedSeq: number; started: number | null }> {
  return new Promise((resolve, reject) => {
    const child = fork(writer, [dataDir], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    running.push(child);
    let reports = 0;
    let reportedSeq = 0;
    let started: number | null = null;
    child.on("message", (message: Progress) => {
      if ("started" in message) started = message.started ?? null;
      if (message.seq === undefined) return;
      reportedSeq = Math.max(reportedSeq, message.seq);
      reports += 1;
      if (reports === writes) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve({ reportedSeq, started });
      else reject(new Error(`crash writer exited by itself (code ${code}, signal ${signal})`));
    });
  });
}

describe("crash recovery", () => {
  it("after SIGKILL mid-run the database is consistent and the latest snapshot is complete and restorable", {
    timeout: 120_000,
  }, async () => {
    const dataDir = dirs.make();
    let previousTicks = 0;
    let previousSeq: number | null = null;
    for (const writes of [40, 75, 60]) {
      const { reportedSeq, started } = await runAndKill(dataDir, writes);
      // Each run restored exactly where the previous one's last committed write left it.
      expect(started).toBe(previousSeq);

      const store = openAgentStore({ dataDir });
      try {
        expect(store.db.pragma("integrity_check", { simple: true })).toBe("ok");
        const latest = store.snapshots.latest("crash-root");
        expect(latest).toBeDefined();
        // Every write the child reported as done survived the kill.
        expect(latest!.seq).toBeGreaterThanOrEqual(reportedSeq);
        // One row per actor (the root and its child machine), rewritten in place: no history piles up.
        expect(
          store.snapshots
            .actorRowsOf("crash-root")
            ?.rows.map((row) => row.path)
            .sort(),
        ).toEqual(["", "counter"]);

        const parsed = JSON.parse(latest!.snapshotJson) as {
          context: { ticks: number; blob: string };
          children: { counter: { snapshot: { context: { n: number } } } };
        };
        // Complete: root and child moved together in every step, and the 64 KB blob is whole.
        expect(parsed.context.ticks).toBeGreaterThan(previousTicks);
        expect(parsed.context.blob).toBe(blobFor(parsed.context.ticks));
        expect(parsed.children.counter.snapshot.context.n).toBe(parsed.context.ticks);

        // The journal link is written with the snapshot: every linked input led to a persisted step, so
        // their count equals the persisted tick count. Inputs journaled just before a kill stay unlinked.
        const journal = store.journal.list({ limit: 1_000_000 });
        const linked = journal.filter((entry) => entry.snapshotSeq !== null);
        expect(linked).toHaveLength(parsed.context.ticks);
        expect(linked.every((entry) => entry.snapshotSeq! <= latest!.seq)).toBe(true);
        expect(journal.length - linked.length).toBeLessThanOrEqual(3);

        const restored = restoreLatestSnapshot(store.snapshots, "crash-root", { current: "1" });
        const actor = createActor(crashMachine, { snapshot: restored!.snapshot }).start();
        actor.send({ type: "TICK" });
        expect(actor.getSnapshot().context.ticks).toBe(parsed.context.ticks + 1);
        expect(actor.system.get("counter")!.getSnapshot().context).toEqual({ n: parsed.context.ticks + 1 });
        actor.stop();

        previousTicks = parsed.context.ticks;
        previousSeq = latest!.seq;
      } finally {
        store.close();
      }
    }
  });
});
