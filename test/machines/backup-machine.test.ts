import { describe, expect, it } from "vitest";
import { createActor, fromPromise } from "xstate";
import { backupMachine } from "../../src/machines/backup/backup.machine.js";
import type { RunBackupInput, RunBackupOutput } from "../../src/machines/backup/backup.types.js";
import type { WaitForInput, WaitUntilInput } from "../../src/machines/shared/index.js";

interface Deferred<T> {
  readonly input: unknown;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** The machine with actors that wait for the test to settle them, recording each invocation's input. */
function scripted() {
  const calls = {
    runBackup: [] as Deferred<RunBackupOutput>[],
    waitUntil: [] as Deferred<void>[],
    waitFor: [] as Deferred<void>[],
  };
  const deferred = <T, I>(name: keyof typeof calls) =>
    fromPromise<T, I>(
      ({ input }) =>
        new Promise<T>((resolve, reject) => {
          (calls[name] as unknown as Deferred<T>[]).push({ input, resolve, reject });
        }),
    );
  const machine = backupMachine.provide({
    actors: {
      runBackup: deferred<RunBackupOutput, RunBackupInput>("runBackup"),
      waitUntil: deferred<void, WaitUntilInput>("waitUntil"),
      waitFor: deferred<void, WaitForInput>("waitFor"),
    },
  });
  return { machine, calls };
}

const settings = { intervalMs: 60_000, baseBackoffMs: 100, maxBackoffMs: 1_000 };
const record = (seq: number, at: number): RunBackupOutput => ({
  seq,
  id: `item-${seq}`,
  sha256: "ab".repeat(32),
  bytes: 100,
  at,
});
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("backup machine", () => {
  it("waits for the schedule's absolute time, backs up, and schedules the next one an interval after it", async () => {
    const { machine, calls } = scripted();
    const actor = createActor(machine, { input: { settings, firstDueAt: 1_000 } }).start();
    expect(actor.getSnapshot().value).toBe("idle");
    expect(calls.waitUntil[0]!.input).toEqual({ until: 1_000 });
    calls.waitUntil[0]!.resolve();
    await tick();
    expect(actor.getSnapshot().value).toBe("backing_up");
    expect(calls.runBackup[0]!.input).toEqual({ reason: "schedule", attempt: 0 } satisfies RunBackupInput);
    calls.runBackup[0]!.resolve(record(1, 5_000));
    await tick();
    expect(actor.getSnapshot().value).toBe("idle");
    expect(actor.getSnapshot().context).toMatchObject({ last: record(1, 5_000), nextDueAt: 65_000 });
    expect(calls.waitUntil[1]!.input).toEqual({ until: 65_000 });
  });

  it("backs up at once on a milestone, and a milestone during a backup queues exactly one more", async () => {
    const { machine, calls } = scripted();
    const actor = createActor(machine, { input: { settings, firstDueAt: 1_000_000 } }).start();
    actor.send({ type: "BACKUP.MILESTONE", reason: "lease_active" });
    expect(calls.runBackup[0]!.input).toEqual({ reason: "lease_active", attempt: 0 });
    actor.send({ type: "BACKUP.MILESTONE", reason: "child_born" });
    actor.send({ type: "BACKUP.MILESTONE", reason: "key_rotated" });
    calls.runBackup[0]!.resolve(record(1, 10));
    await tick();
    expect(actor.getSnapshot().value).toBe("backing_up");
    expect(calls.runBackup[1]!.input).toEqual({ reason: "key_rotated", attempt: 0 });
    calls.runBackup[1]!.resolve(record(2, 20));
    await tick();
    expect(actor.getSnapshot().value).toBe("idle");
    expect(calls.runBackup).toHaveLength(2);
    expect(actor.getSnapshot().context.last?.seq).toBe(2);
  });

  it("tries a failed backup again after a growing backoff, keeping the last good one; BACKUP.NOW cuts the wait", async () => {
    const { machine, calls } = scripted();
    const actor = createActor(machine, { input: { settings, firstDueAt: 1_000_000 } }).start();
    actor.send({ type: "BACKUP.NOW" });
    calls.runBackup[0]!.resolve(record(1, 10));
    await tick();
    actor.send({ type: "BACKUP.MILESTONE", reason: "migration_done" });
    calls.runBackup[1]!.reject(new Error("gateway down"));
    await tick();
    expect(actor.getSnapshot().value).toBe("backing_off");
    expect(actor.getSnapshot().context).toMatchObject({
      attempt: 1,
      last: { seq: 1 },
      lastError: { message: "gateway down" },
    });
    const firstWait = (calls.waitFor[0]!.input as { ms: number }).ms;
    calls.waitFor[0]!.resolve();
    await tick();
    expect(calls.runBackup[2]!.input).toEqual({ reason: "migration_done", attempt: 1 });
    calls.runBackup[2]!.reject(new Error("gateway down"));
    await tick();
    expect((calls.waitFor[1]!.input as { ms: number }).ms).toBeGreaterThan(firstWait);
    actor.send({ type: "BACKUP.NOW" });
    await tick();
    expect(actor.getSnapshot().value).toBe("backing_up");
    calls.runBackup[3]!.resolve(record(2, 30));
    await tick();
    expect(actor.getSnapshot().context).toMatchObject({ attempt: 0, lastError: null, last: { seq: 2 } });
  });

  it("restored mid-backup, runs the same backup again (the effect finishes the reserved seq)", async () => {
    const first = scripted();
    const actor = createActor(first.machine, { input: { settings, firstDueAt: 1_000_000 } }).start();
    actor.send({ type: "BACKUP.MILESTONE", reason: "lease_active" });
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();

    const second = scripted();
    const restored = createActor(second.machine, {
      snapshot: persisted,
      input: { settings, firstDueAt: 0 },
    }).start();
    expect(restored.getSnapshot().value).toBe("backing_up");
    expect(second.calls.runBackup[0]!.input).toEqual({ reason: "lease_active", attempt: 0 });
  });
});
