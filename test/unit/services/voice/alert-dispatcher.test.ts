import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../../src/logging/index.js";
import {
  type AlertChannel,
  createAlertDispatcher,
  type OutgoingAlert,
  type RaisedAlert,
} from "../../../../src/services/alerts/index.js";
import { type AgentStore, openAgentStore } from "../../../../src/services/store/index.js";
import { tempDirs } from "../../store/fixtures/temp-dir.js";

const dirs = tempDirs();
const stores: AgentStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  dirs.cleanup();
});

const HOUR = 3_600_000;

/** A channel that records what it was given and fails while `failing` is set. */
function recordingChannel(name: string, minSeverity: AlertChannel["minSeverity"] = "low") {
  const sent: OutgoingAlert[] = [];
  const channel = {
    name,
    minSeverity,
    rateLimit: { burst: 100, perHour: 100 },
    failing: false,
    async send(alert: OutgoingAlert) {
      if (channel.failing) throw new Error(`${name}: the receiver answered HTTP 503`);
      sent.push(alert);
    },
  };
  return { channel, sent };
}

function world(channels: AlertChannel[], maxAttempts = 3) {
  const store = openAgentStore({ dataDir: dirs.make() });
  stores.push(store);
  let clock = Date.UTC(2026, 11, 1);
  const dispatcher = createAlertDispatcher({
    alerts: store.alerts,
    channels,
    retry: { maxAttempts, baseMs: 1_000, capMs: 60_000 },
    remindAfterMs: 24 * HOUR,
    agentId: "agent-1",
    now: () => clock,
    logger: createLogger({ level: "silent" }),
  });
  return {
    store,
    dispatcher,
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
}

const down = (id: string): RaisedAlert => ({
  id,
  severity: "high",
  title: "Provider unreachable",
  message: `no answer (${id})`,
  source: "health",
  incident: "provider-down",
});

describe("alert dispatcher: routing, incidents, retries (simulated clock, real store)", () => {
  it("routes by each channel's minimum severity", async () => {
    const everything = recordingChannel("everything", "low");
    const urgent = recordingChannel("urgent", "critical");
    const { dispatcher } = world([everything.channel, urgent.channel]);
    dispatcher.record({ ...down("a1"), severity: "medium" });
    dispatcher.record({ ...down("a2"), severity: "critical", incident: "other" });
    await dispatcher.deliverDue();
    expect(everything.sent.map((a) => a.id)).toEqual(["a1", "a2"]);
    expect(urgent.sent.map((a) => a.id)).toEqual(["a2"]);
  });

  it("holds repeats of an open incident, reminds after remindAfterMs, and sends the resolution where the alert went", async () => {
    const everything = recordingChannel("everything", "low");
    const urgent = recordingChannel("urgent", "high");
    const { dispatcher, store, advance } = world([everything.channel, urgent.channel]);
    dispatcher.record(down("i1"));
    advance(HOUR);
    expect(dispatcher.record(down("i2")).suppressed).toBe("repeat");
    advance(24 * HOUR);
    expect(dispatcher.record(down("i3")).suppressed).toBeNull();
    dispatcher.record({ ...down("i4"), severity: "low", title: "Provider back", resolves: true });
    await dispatcher.deliverDue();
    expect(urgent.sent.map((a) => [a.id, a.resolves])).toEqual([
      ["i1", false],
      ["i3", false],
      ["i4", true],
    ]);
    expect(store.alerts.get("i2")).toMatchObject({ suppressed: "repeat", deliveredAt: null });
    expect(dispatcher.record(down("i5")).suppressed).toBeNull();
  });

  it("retries with exponential backoff kept in the row, never resends to a channel that took it, and gives up after maxAttempts", async () => {
    const good = recordingChannel("good");
    const flaky = recordingChannel("flaky");
    flaky.channel.failing = true;
    const { dispatcher, store, advance, now } = world([good.channel, flaky.channel], 3);
    dispatcher.record(down("r1"));
    const first = await dispatcher.deliverDue();
    expect(first).toBe(now() + 1_000);
    expect(store.alerts.get("r1")).toMatchObject({
      attempts: 1,
      sentChannels: ["good"],
      nextAttemptAt: now() + 1_000,
    });
    expect(store.alerts.get("r1")?.lastError).toMatch(/flaky: the receiver answered HTTP 503/);
    // Not due yet: nothing happens.
    advance(999);
    await dispatcher.deliverDue();
    expect(store.alerts.get("r1")?.attempts).toBe(1);
    advance(1);
    await dispatcher.deliverDue();
    expect(store.alerts.get("r1")).toMatchObject({ attempts: 2, nextAttemptAt: now() + 2_000 });
    advance(2_000);
    expect(await dispatcher.deliverDue()).toBeNull();
    expect(store.alerts.get("r1")).toMatchObject({ attempts: 3, failedAt: now(), deliveredAt: null });
    expect(good.sent.map((a) => a.id)).toEqual(["r1"]);
    expect(store.alerts.undelivered()).toEqual([]);
  });

  it("delivers once the channel recovers", async () => {
    const flaky = recordingChannel("flaky");
    flaky.channel.failing = true;
    const { dispatcher, store, advance } = world([flaky.channel], 10);
    dispatcher.record(down("ok1"));
    await dispatcher.deliverDue();
    flaky.channel.failing = false;
    advance(1_000);
    await dispatcher.deliverDue();
    expect(store.alerts.get("ok1")).toMatchObject({ attempts: 2, lastError: null, sentChannels: ["flaky"] });
    expect(store.alerts.get("ok1")?.deliveredAt).not.toBeNull();
    expect(flaky.sent).toHaveLength(1);
  });
});
