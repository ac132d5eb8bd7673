import { describe, expect, it } from "vitest";
import { judgeTakeBack, leaderLeaseState, lostLeaderOf } from "../../../src/runtime/take-back.js";
import type { LeaseInfo } from "../../../src/services/akash/akash-types.js";
import type { ReceivedHeartbeat } from "../../../src/services/nostr/heartbeat-event.js";
import type { Leadership } from "../../../src/services/store/index.js";

const NOW = Date.parse("2026-12-03T12:00:00Z");
const leader = { dseq: "42", provider: "akash1dead", uri: "127.0.0.1:31000" };
const handedOver: Leadership = { generation: 1, state: "handed_over", leader, updatedAt: 0 };

function heartbeat(generation: number, ageMs: number): ReceivedHeartbeat {
  return {
    agentId: "a",
    generation,
    leaseState: "active.monitoring",
    provider: "akash1dead",
    runwayDays: 1,
    relayUri: "ws://127.0.0.1:31000",
    at: new Date(NOW - ageMs).toISOString(),
    pubkey: "p",
    eventId: "e",
    createdAt: Math.floor((NOW - ageMs) / 1000),
  };
}

const gone = { gone: true, detail: "the leader's deployment 42 is closed" };
const judge = (o: Partial<Parameters<typeof judgeTakeBack>[0]>) =>
  judgeTakeBack({
    leadership: handedOver,
    heartbeat: null,
    lease: gone,
    silentAfterMs: 3_000,
    now: NOW,
    ...o,
  });

describe("whether a data directory that handed over may take the agent back", () => {
  it("refuses a data directory that did not hand over, naming its state", () => {
    const verdict = judge({ leadership: { generation: 0, state: "leading", leader: null, updatedAt: 0 } });
    expect(verdict).toEqual({
      allowed: false,
      reason: expect.stringMatching(/is leading \(generation 0\), not handed over/),
    });
  });

  it("refuses while a heartbeat of the recorded generation or later is fresh, saying how old it is", () => {
    expect(judge({ heartbeat: heartbeat(1, 2_000) })).toEqual({
      allowed: false,
      reason: expect.stringMatching(/heartbeat of generation 1 is fresh \(2 s ago/),
    });
    expect(judge({ heartbeat: heartbeat(3, 1_000) })).toMatchObject({ allowed: false });
  });

  it("refuses while the leader's lease runs, even when the heartbeats are silent", () => {
    const verdict = judge({
      heartbeat: heartbeat(1, 60_000),
      lease: {
        gone: false,
        detail: "the leader's lease 42 is still active on provider akash1dead, which runs it",
      },
    });
    expect(verdict).toEqual({
      allowed: false,
      reason: expect.stringMatching(/still active .*may still act$/),
    });
  });

  it("allows it when silent and gone, one generation above every one seen", () => {
    expect(judge({ heartbeat: heartbeat(1, 60_000) })).toMatchObject({ allowed: true, generation: 2 });
    expect(judge({ heartbeat: heartbeat(4, 60_000) })).toMatchObject({ allowed: true, generation: 5 });
    // An older generation's heartbeat, however fresh, is not the leader's.
    expect(judge({ heartbeat: heartbeat(0, 100) })).toMatchObject({ allowed: true, generation: 2 });
    expect(judge({})).toMatchObject({ allowed: true, generation: 2 });
  });
});

describe("taking the agent back from a copy of its deployed instance's state (restored from a backup)", () => {
  // What a deployed instance records when it leads in a lease, and so what its backup restores.
  const restored: Leadership = {
    generation: 1,
    state: "leading",
    leader: { dseq: "42", provider: "akash1dead", uri: "" },
    updatedAt: 0,
  };

  it("names the instance in the recorded lease as the lost leader; a bootstrap or a taken-back copy has none", () => {
    expect(lostLeaderOf(restored)).toEqual(restored.leader);
    expect(lostLeaderOf(handedOver)).toEqual(leader);
    expect(lostLeaderOf({ generation: 0, state: "leading", leader: null, updatedAt: 0 })).toBeNull();
    expect(lostLeaderOf({ generation: 2, state: "leading", leader: null, updatedAt: 0 })).toBeNull();
    expect(lostLeaderOf({ ...handedOver, state: "superseded" })).toBeNull();
  });

  it("allows it when that instance is silent and its lease gone, as the next generation", () => {
    expect(judge({ leadership: restored, heartbeat: heartbeat(1, 60_000) })).toMatchObject({
      allowed: true,
      generation: 2,
    });
  });

  it("refuses while that instance still beats or its lease runs", () => {
    expect(judge({ leadership: restored, heartbeat: heartbeat(1, 1_000) })).toEqual({
      allowed: false,
      reason: expect.stringMatching(/heartbeat of generation 1 is fresh/),
    });
    expect(
      judge({
        leadership: restored,
        lease: { gone: false, detail: "the leader's lease 42 is still active" },
      }),
    ).toMatchObject({ allowed: false });
  });
});

describe("the leader's lease as the chain and its provider show it", () => {
  const activeLease: LeaseInfo = {
    dseq: "42",
    gseq: 1,
    oseq: 1,
    provider: "akash1dead",
    state: "active",
  } as LeaseInfo;
  const chain = (o: { closed?: boolean; leases?: LeaseInfo[] }) => ({
    deployment: async () => ({ state: o.closed ? ("closed" as const) : ("active" as const) }) as never,
    leases: async () => o.leases ?? [activeLease],
    provider: async () => ({ owner: "akash1dead", hostUri: "https://provider:8443", attributes: [] }),
  });
  const serving = { leaseStatus: async () => ({ services: [], forwardedPorts: [] }) };

  it("is gone when the deployment is closed, or no lease is active", async () => {
    expect(await leaderLeaseState(chain({ closed: true }), serving, leader)).toMatchObject({ gone: true });
    const closedLease = { ...activeLease, state: "closed" } as LeaseInfo;
    expect(await leaderLeaseState(chain({ leases: [closedLease] }), serving, leader)).toMatchObject({
      gone: true,
      detail: expect.stringMatching(/no active lease/),
    });
  });

  it("is gone when the provider does not answer or no longer runs it; runs while it answers", async () => {
    const down = {
      leaseStatus: async () => {
        throw new Error("connect ECONNREFUSED");
      },
    };
    expect(await leaderLeaseState(chain({}), down, leader)).toMatchObject({
      gone: true,
      detail: expect.stringMatching(/does not answer \(connect ECONNREFUSED\)/),
    });
    expect(await leaderLeaseState(chain({}), { leaseStatus: async () => null }, leader)).toMatchObject({
      gone: true,
    });
    expect(await leaderLeaseState(chain({}), serving, leader)).toMatchObject({ gone: false });
  });
});
