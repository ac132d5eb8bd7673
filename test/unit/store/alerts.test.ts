import { afterEach, describe, expect, it } from "vitest";
import { createRedactor } from "../../../src/logging/index.js";
import { type AgentStore, openAgentStore, StoreError } from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  dirs.cleanup();
});

describe("alerts", () => {
  it("raises once per id, tracks delivery and acknowledgement, and redacts text and metadata", () => {
    const secret = "super-secret-api-token-value";
    let now = 10;
    store = openAgentStore({
      dataDir: dirs.make(),
      clock: () => now,
      redactor: createRedactor(() => [secret]),
    });
    const raised = store.alerts.raise({
      id: "deploy-failed:3",
      severity: "critical",
      title: "Deployment failed 3 times",
      message: `last error: auth ${secret} rejected`,
      metadata: { providers: ["akash1a", "akash1b"], apiKey: "x" },
      channels: ["console", "nostr"],
    });
    expect(raised.created).toBe(true);
    expect(raised.alert).toMatchObject({
      severity: "critical",
      message: "last error: auth [redacted] rejected",
      metadata: { providers: ["akash1a", "akash1b"], apiKey: "[redacted]" },
      channels: ["console", "nostr"],
      createdAt: 10,
      deliveredAt: null,
      acknowledgedAt: null,
    });
    expect(
      store.alerts.raise({ id: "deploy-failed:3", severity: "low", title: "x", message: "y", channels: [] }),
    ).toEqual({
      alert: raised.alert,
      created: false,
    });
    store.alerts.raise({
      id: "low-runway",
      severity: "high",
      title: "t",
      message: "m",
      channels: ["console"],
    });
    expect(store.alerts.undelivered().map((alert) => alert.id)).toEqual(["deploy-failed:3", "low-runway"]);

    now = 20;
    expect(store.alerts.markDelivered("deploy-failed:3").deliveredAt).toBe(20);
    now = 30;
    expect(store.alerts.markDelivered("deploy-failed:3").deliveredAt).toBe(20);
    expect(store.alerts.acknowledge("deploy-failed:3").acknowledgedAt).toBe(30);
    expect(store.alerts.undelivered().map((alert) => alert.id)).toEqual(["low-runway"]);
    expect(store.alerts.recent(1).map((alert) => alert.id)).toEqual(["low-runway"]);
    expect(() => store!.alerts.markDelivered("nope")).toThrow(StoreError);
    expect(() =>
      store!.alerts.raise({ id: "bad", severity: "urgent" as "low", title: "t", message: "m", channels: [] }),
    ).toThrow(TypeError);
  });
});
