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

describe("children", () => {
  it("give the family's placements for diversity scoring: living children with a provider only", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const child = (id: string, state: string, provider?: string, region: string | null = "eu-west") =>
      store!.children.register({
        id,
        addresses: { akash: `akash1${id}` },
        role: "replica",
        region,
        state,
        ...(provider ? { provider, dseq: "9" } : {}),
      });
    child("a", "active", "akash1provA");
    child("b", "active", "akash1provB", null);
    child("c", "deploying");
    child("d", "retired", "akash1provD");
    expect(store.children.placements()).toEqual([
      { provider: "akash1provA", region: "eu-west" },
      { provider: "akash1provB", region: null },
    ]);
  });

  it("registers, updates, funds and tracks heartbeats of child agents", () => {
    let now = 1;
    store = openAgentStore({ dataDir: dirs.make(), clock: () => now });
    const child = store.children.register({
      id: "child-1",
      addresses: { akash: "akash1child", nostr: "npub1child" },
      role: "relay-replica",
      region: "eu-west",
      state: "deploying",
    });
    expect(child).toMatchObject({
      dseq: null,
      provider: null,
      funded: {},
      lastHeartbeatAt: null,
      createdAt: 1,
    });

    now = 2;
    store.children.addFunding("child-1", "uact", 5_000_000n);
    store.children.addFunding("child-1", "uact", "2500000");
    store.children.addFunding("child-1", "uakt", 10n ** 20n);
    now = 3;
    const updated = store.children.register({
      id: "child-1",
      addresses: { akash: "akash1child", nostr: "npub1child" },
      role: "relay-replica",
      region: "eu-west",
      dseq: "777",
      provider: "akash1prov",
      state: "active",
    });
    expect(updated).toMatchObject({
      dseq: "777",
      provider: "akash1prov",
      state: "active",
      funded: { uact: "7500000", uakt: "100000000000000000000" },
      createdAt: 1,
      updatedAt: 3,
    });

    store.children.recordHeartbeat("child-1", 500);
    expect(store.children.recordHeartbeat("child-1", 400).lastHeartbeatAt).toBe(500);
    store.children.register({ id: "child-2", addresses: {}, role: "relay-replica", state: "deploying" });
    expect(store.children.list({ state: "active" }).map((entry) => entry.id)).toEqual(["child-1"]);
    expect(store.children.list().map((entry) => entry.id)).toEqual(["child-1", "child-2"]);
    expect(store.children.setState("child-2", "dead").state).toBe("dead");
    expect(() => store!.children.setState("child-9", "dead")).toThrow(StoreError);
    expect(() => store!.children.addFunding("child-1", "uact", "1.5")).toThrow(RangeError);
  });
});
