import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BASELINE_CHILD_METRICS,
  DEFAULT_REPRODUCTION_RULES,
  DomainInputError,
  decideReproduction,
  MAX_RESOURCES,
  type ReproductionSignals,
  VIDEO_CHILD_METRICS,
} from "../../../src/domain/index.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 23);

/** Quiet signals: no trigger fires. */
const quiet: ReproductionSignals = {
  now: NOW,
  metrics: { eventsPerSecond: 100, activeConnections: 2_000, storageUsedGi: 40 },
  resources: { cpuUnits: 4, memoryGi: 8, storageGi: 100 },
  connectionsByRegion: { "na-us-west": 700, "eu-central": 300 },
  eventsByKind: { "1": 900, "71": 100 },
  family: { activeAgents: 3, regions: ["na-us-west", "eu-central"], specialists: [] },
  lastReproductionAt: NOW - 10 * DAY,
  startedAt: NOW - 100 * DAY,
};

const at = (patch: Partial<ReproductionSignals>): ReproductionSignals => ({ ...quiet, ...patch });
const maxed = { resources: MAX_RESOURCES };

describe("decideReproduction", () => {
  it("says no, with the reason each trigger did not fire", () => {
    expect(decideReproduction(quiet)).toEqual({
      reproduce: false,
      reason:
        "load 25.0% of capacity (trigger above 80.0%); " +
        "no region without an agent has over 30.0% of connections; " +
        "3 live agents in the family (minimum 3); " +
        "video events 10.0% (trigger above 20.0%); " +
        "10 day(s) since last reproduction (scheduled every 30)",
    });
  });

  it("high load: only when vertical scaling is exhausted", () => {
    const busy = { metrics: { eventsPerSecond: 700, activeConnections: 40_000, storageUsedGi: 40 } };
    const withHeadroom = decideReproduction(
      at({ ...busy, resources: { cpuUnits: 8, memoryGi: 12, storageGi: 100 } }),
    );
    expect(withHeadroom.reproduce).toBe(false);
    expect(withHeadroom.reason).toContain(
      "load 87.5% of capacity but vertical headroom remains (cpu 8/8, memory 12/16Gi): scale up first",
    );
    expect(decideReproduction(at({ ...busy, ...maxed }))).toEqual({
      reproduce: true,
      trigger: "high_load",
      reason: "load at 87.5% of capacity and the largest size is reached",
      urgency: "medium",
      childConfig: {
        role: "replica",
        specialization: null,
        region: null,
        initialMetrics: { eventsPerSecond: 350, activeConnections: 20_000, storageUsedGi: 10 },
        targetUsdPerDay: 5,
      },
    });
  });

  it("high load is urgent above 90% and uses a measured capacity when given", () => {
    const decision = decideReproduction(
      at({ ...maxed, metrics: { ...quiet.metrics, eventsPerSecond: 950 }, capacityEventsPerSecond: 1000 }),
    );
    expect(decision.reproduce && decision.urgency).toBe("high");
    const under = decideReproduction(at({ ...maxed, metrics: { ...quiet.metrics, eventsPerSecond: 801 } }));
    expect(under.reproduce && under.trigger).toBe("high_load"); // 801 / 800 default capacity
    const atThreshold = decideReproduction(
      at({ ...maxed, metrics: { ...quiet.metrics, eventsPerSecond: 640 } }),
    );
    expect(atThreshold.reproduce).toBe(false); // exactly 80% is not above it
  });

  it("geographic demand: the largest region over 30% with no agent of the family", () => {
    const decision = decideReproduction(
      at({
        connectionsByRegion: { "ap-southeast": 350, "sa-east": 400, "na-us-west": 250 },
        family: { ...quiet.family, regions: ["na-us-west"] },
      }),
    );
    expect(decision).toEqual({
      reproduce: true,
      trigger: "geographic_demand",
      reason: "40.0% of connections come from sa-east, where the family has no agent",
      urgency: "medium",
      childConfig: {
        role: "replica",
        specialization: null,
        region: "sa-east",
        initialMetrics: { eventsPerSecond: 40, activeConnections: 400, storageUsedGi: 10 },
        targetUsdPerDay: 5,
      },
    });
  });

  it("geographic demand: nothing to measure without connections (no division by zero)", () => {
    const decision = decideReproduction(at({ connectionsByRegion: {} }));
    expect(decision.reproduce).toBe(false);
    expect(decision.reason).toContain("no connections to place by region");
    expect(decideReproduction(at({ connectionsByRegion: { eu: 0 } })).reproduce).toBe(false);
  });

  it("redundancy: fewer than 3 live agents in the family", () => {
    const two = decideReproduction(at({ family: { ...quiet.family, activeAgents: 2 } }));
    expect(two).toMatchObject({ reproduce: true, trigger: "redundancy", urgency: "medium" });
    expect(two.reproduce && two.childConfig.initialMetrics).toEqual(BASELINE_CHILD_METRICS);
    const alone = decideReproduction(at({ family: { ...quiet.family, activeAgents: 1 } }));
    expect(alone).toMatchObject({
      trigger: "redundancy",
      urgency: "high",
      reason: "only 1 live agent(s) in the family, at least 3 are needed",
    });
  });

  it("specialization: over 20% video events and no video specialist", () => {
    const videoHeavy = { eventsByKind: { "1": 700, "71": 300 } };
    expect(decideReproduction(at(videoHeavy))).toEqual({
      reproduce: true,
      trigger: "specialization",
      reason: "30.0% of events are video and no agent specialises in them",
      urgency: "low",
      childConfig: {
        role: "specialized",
        specialization: "video",
        region: null,
        initialMetrics: VIDEO_CHILD_METRICS,
        targetUsdPerDay: 8,
      },
    });
    const covered = decideReproduction(
      at({ ...videoHeavy, family: { ...quiet.family, specialists: ["video"] } }),
    );
    expect(covered.reproduce).toBe(false);
    expect(covered.reason).toContain("video events 30.0% but the family has a video specialist");
  });

  it("specialization: no kind-71 events or no events at all is not an error", () => {
    expect(decideReproduction(at({ eventsByKind: { "1": 10 } })).reason).toContain("video events 0.0%");
    expect(decideReproduction(at({ eventsByKind: {} })).reason).toContain(
      "no events to measure the video share",
    );
  });

  it("specialization: the video kinds are configurable", () => {
    const rules = { ...DEFAULT_REPRODUCTION_RULES, videoKinds: [21, 22] };
    const decision = decideReproduction(at({ eventsByKind: { "1": 50, "21": 30, "22": 20 } }), rules);
    expect(decision.reproduce && decision.trigger).toBe("specialization");
  });

  it("scheduled: every 30 days, counted from the start until the first reproduction", () => {
    expect(decideReproduction(at({ lastReproductionAt: NOW - 31 * DAY }))).toMatchObject({
      trigger: "scheduled",
      urgency: "low",
      reason: "scheduled reproduction: 31 day(s) since last reproduction",
    });
    expect(decideReproduction(at({ lastReproductionAt: NOW - 30 * DAY })).reproduce).toBe(false);
    expect(decideReproduction(at({ lastReproductionAt: null, startedAt: NOW - 45 * DAY }))).toMatchObject({
      trigger: "scheduled",
      reason: "scheduled reproduction: 45 day(s) since start",
    });
    expect(decideReproduction(at({ lastReproductionAt: null, startedAt: NOW - DAY })).reproduce).toBe(false);
  });

  it("evaluates the triggers in the notes' order", () => {
    const everything = at({
      ...maxed,
      metrics: { eventsPerSecond: 790, activeConnections: 1000, storageUsedGi: 10 },
      connectionsByRegion: { "ap-southeast": 1000 },
      eventsByKind: { "71": 10 },
      family: { activeAgents: 1, regions: [], specialists: [] },
      lastReproductionAt: null,
    });
    const order: string[] = [];
    let signals = everything;
    for (;;) {
      const decision = decideReproduction(signals);
      if (!decision.reproduce) break;
      order.push(decision.trigger);
      signals = {
        high_load: { ...signals, metrics: { ...signals.metrics, eventsPerSecond: 10 } },
        geographic_demand: { ...signals, family: { ...signals.family, regions: ["ap-southeast"] } },
        redundancy: { ...signals, family: { ...signals.family, activeAgents: 3 } },
        specialization: { ...signals, family: { ...signals.family, specialists: ["video"] } },
        scheduled: { ...signals, lastReproductionAt: NOW },
      }[decision.trigger];
    }
    expect(order).toEqual(["high_load", "geographic_demand", "redundancy", "specialization", "scheduled"]);
  });

  it.each([
    [{ now: -1 }, "now"],
    [{ metrics: { ...quiet.metrics, eventsPerSecond: Number.NaN } }, "metrics.eventsPerSecond"],
    [{ connectionsByRegion: { eu: -5 } }, "connectionsByRegion.eu"],
    [{ eventsByKind: { "71": Number.POSITIVE_INFINITY } }, "eventsByKind.71"],
    [{ family: { ...quiet.family, activeAgents: 1.5 } }, "family.activeAgents"],
    [{ capacityEventsPerSecond: 0 }, "capacityEventsPerSecond"],
    [{ resources: { cpuUnits: 1, memoryGi: 4, storageGi: 100 } }, "resources.cpuUnits"],
  ] as [Partial<ReproductionSignals>, string][])("rejects bad signals (%#: %s)", (patch, field) => {
    expect(() => decideReproduction(at(patch))).toThrow(DomainInputError);
    expect(() => decideReproduction(at(patch))).toThrow(`invalid input: ${field} =`);
  });

  it("never throws on valid signals and always explains itself", () => {
    const count = fc.double({ min: 0, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(
        fc.record({
          eventsPerSecond: count,
          activeConnections: count,
          regions: fc.dictionary(fc.constantFrom("na", "eu", "ap", "sa"), count),
          kinds: fc.dictionary(fc.constantFrom("1", "7", "71", "30023"), count),
          agents: fc.nat(6),
          daysSince: fc.option(fc.integer({ min: 0, max: 400 })),
        }),
        ({ eventsPerSecond, activeConnections, regions, kinds, agents, daysSince }) => {
          const decision = decideReproduction(
            at({
              metrics: { eventsPerSecond, activeConnections, storageUsedGi: 1 },
              connectionsByRegion: regions,
              eventsByKind: kinds,
              family: { activeAgents: agents, regions: ["na"], specialists: [] },
              lastReproductionAt: daysSince === null ? null : NOW - daysSince * DAY,
            }),
          );
          expect(decision.reason.length).toBeGreaterThan(0);
          expect(decision.reason).not.toMatch(/NaN|Infinity|undefined/);
        },
      ),
    );
  });
});
