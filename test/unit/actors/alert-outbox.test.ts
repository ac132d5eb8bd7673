import { afterEach, describe, expect, it } from "vitest";
import { assign, createActor, sendTo, setup } from "xstate";
import type { AlertChannels } from "../../../src/actors/alert-channels.js";
import { createAlertOutbox } from "../../../src/actors/alert-outbox.js";
import { createLogger } from "../../../src/logging/index.js";
import type { AlertChannel, OutgoingAlert } from "../../../src/services/alerts/index.js";
import {
  type AgentStore,
  createSnapshotPersister,
  openAgentStore,
  SecretInSnapshotError,
} from "../../../src/services/store/index.js";
import { tempDirs } from "../store/fixtures/temp-dir.js";

const dirs = tempDirs();
const stores: AgentStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  dirs.cleanup();
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const SECRET = "the-secret-that-must-not-be-saved";

/** What a channel saw at the moment delivery started: the newest saved state and the outbox row. */
interface Delivery {
  alert: OutgoingAlert;
  savedRaised: number | null;
  rowExisted: boolean;
}

function world() {
  const store = openAgentStore({ dataDir: dirs.make() });
  stores.push(store);
  const deliveries: Delivery[] = [];
  const channel: AlertChannel = {
    name: "test",
    minSeverity: "low",
    rateLimit: { burst: 100, perHour: 3600 },
    async send(alert) {
      const latest = store.snapshots.latest("root");
      const saved = latest ? (JSON.parse(latest.snapshotJson) as { context: { raised: number } }) : null;
      deliveries.push({
        alert,
        savedRaised: saved?.context.raised ?? null,
        rowExisted: store.alerts.get(alert.id) !== undefined,
      });
    },
  };
  const channels: AlertChannels = {
    list: [channel],
    retry: { maxAttempts: 3, baseMs: 10, capMs: 10 },
    remindAfterMs: 60_000,
  };
  const errors: unknown[] = [];
  const persister = createSnapshotPersister({
    store,
    machineId: "root",
    machineVersion: "1",
    secrets: () => [SECRET],
    onError: (error) => errors.push(error),
  });
  const outbox = createAlertOutbox({
    store,
    channels,
    logger: createLogger({ level: "silent" }),
    now: Date.now,
    agentId: "agent-1",
    stepWrites: persister.stageWithNextWrite,
  });
  const machine = setup({
    types: {
      context: {} as { raised: number; note: string },
      events: {} as { type: "RAISE"; note: string },
    },
    actors: { alertOutbox: outbox },
  }).createMachine({
    id: "root",
    context: { raised: 0, note: "" },
    invoke: { src: "alertOutbox", id: "alerts", systemId: "alerts" },
    on: {
      RAISE: {
        actions: [
          assign({ raised: ({ context }) => context.raised + 1, note: ({ event }) => event.note }),
          sendTo("alerts", ({ context }) => ({
            type: "ALERT.DELIVER" as const,
            alert: {
              id: `alert-${context.raised}`,
              severity: "high" as const,
              title: "Something happened",
              message: "details",
              source: "test",
            },
          })),
        ],
      },
    },
  });
  const actor = createActor(machine, { inspect: persister.inspect });
  persister.attach(actor);
  actor.start();
  return { store, actor, deliveries, errors };
}

describe("the alert outbox (review finding: an alert could leave before its state was saved)", () => {
  it("writes the row with the snapshot of the step that raised it and delivers only after that commit", async () => {
    const { store, actor, deliveries } = world();
    actor.send({ type: "RAISE", note: "disk almost full" });
    await settle();
    expect(deliveries).toEqual([
      { alert: expect.objectContaining({ id: "alert-1" }), savedRaised: 1, rowExisted: true },
    ]);
    expect(store.alerts.get("alert-1")?.deliveredAt).not.toBeNull();
    actor.stop();
  });

  it("neither records nor sends an alert whose step could not be saved", async () => {
    const { store, actor, deliveries, errors } = world();
    actor.send({ type: "RAISE", note: `oops ${SECRET}` });
    await settle();
    expect(errors).toEqual([expect.any(SecretInSnapshotError)]);
    expect(store.alerts.get("alert-1")).toBeUndefined();
    expect(deliveries).toEqual([]);
    actor.stop();
  });
});
