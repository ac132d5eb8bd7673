import { describe, expect, it } from "vitest";
import {
  checkReproductionGates,
  DomainInputError,
  evaluateReproduction,
  type ReproduceDecision,
  type ReproductionGateInput,
  type ReproductionSignals,
} from "../../../src/domain/index.js";

const decision: ReproduceDecision = {
  reproduce: true,
  trigger: "redundancy",
  reason: "only 2 live agent(s) in the family, at least 3 are needed",
  urgency: "medium",
  childConfig: {
    role: "replica",
    specialization: null,
    region: null,
    initialMetrics: { eventsPerSecond: 10, activeConnections: 100, storageUsedGi: 10 },
    targetUsdPerDay: 5,
  },
};

const open: ReproductionGateInput = {
  quota: { activeChildren: 1, maxChildren: 3 },
  treasury: {
    balanceUsd: 200,
    minimumUsd: 20,
    ownDailyCostUsd: 4,
    ownRunwayDays: 14,
    childRunwayDays: 7,
    childAllocationCapUsd: 50,
  },
  market: { onlineProviders: 12, providersUsedByFamily: 2, recentBidsPerOrder: 4 },
};

describe("checkReproductionGates", () => {
  it("passes and says how much the child gets: 7 days × $5, under the $50 cap", () => {
    expect(checkReproductionGates(decision, open)).toEqual({ passed: true, childFundingUsd: 35 });
  });

  it("quota: no more children than the maximum", () => {
    expect(
      checkReproductionGates(decision, { ...open, quota: { activeChildren: 3, maxChildren: 3 } }),
    ).toEqual({
      passed: false,
      gate: "quota",
      reason: "3 of at most 3 children are active",
    });
  });

  it("treasury: keeps max(minimum, our own runway) after funding the child", () => {
    // reserve = max(20, 4 × 14) = 56; 90 − 35 = 55 < 56
    expect(
      checkReproductionGates(decision, { ...open, treasury: { ...open.treasury, balanceUsd: 90 } }),
    ).toEqual({
      passed: false,
      gate: "treasury",
      reason: "funding the child ($35.00) would leave $55.00, under the $56.00 reserve",
    });
    expect(
      checkReproductionGates(decision, { ...open, treasury: { ...open.treasury, balanceUsd: 91 } }).passed,
    ).toBe(true);
  });

  it("treasury: the allocation cap limits the funding, and must buy at least one day", () => {
    const capped = { ...open, treasury: { ...open.treasury, childAllocationCapUsd: 20 } };
    expect(checkReproductionGates(decision, capped)).toEqual({ passed: true, childFundingUsd: 20 });
    const tiny = { ...open, treasury: { ...open.treasury, childAllocationCapUsd: 4 } };
    expect(checkReproductionGates(decision, tiny)).toMatchObject({ passed: false, gate: "treasury" });
  });

  it("market: needs a provider the family does not use, and orders that draw bids", () => {
    expect(
      checkReproductionGates(decision, { ...open, market: { ...open.market, onlineProviders: 2 } }),
    ).toEqual({ passed: false, gate: "market", reason: "all 2 online provider(s) already host the family" });
    expect(
      checkReproductionGates(decision, { ...open, market: { ...open.market, recentBidsPerOrder: 1.5 } }),
    ).toMatchObject({ passed: false, gate: "market", reason: expect.stringContaining("the market is thin") });
    expect(
      checkReproductionGates(decision, { ...open, market: { ...open.market, recentBidsPerOrder: null } })
        .passed,
    ).toBe(true);
  });

  it("checks quota before treasury before market", () => {
    const allClosed: ReproductionGateInput = {
      quota: { activeChildren: 5, maxChildren: 0 },
      treasury: { ...open.treasury, balanceUsd: 0 },
      market: { onlineProviders: 0, providersUsedByFamily: 0, recentBidsPerOrder: 0 },
    };
    expect(checkReproductionGates(decision, allClosed)).toMatchObject({ gate: "quota" });
    expect(checkReproductionGates(decision, { ...allClosed, quota: open.quota })).toMatchObject({
      gate: "treasury",
    });
    expect(
      checkReproductionGates(decision, { ...allClosed, quota: open.quota, treasury: open.treasury }),
    ).toMatchObject({ gate: "market" });
  });

  it("rejects bad figures naming the field", () => {
    const bad = { ...open, treasury: { ...open.treasury, balanceUsd: Number.NaN } };
    expect(() => checkReproductionGates(decision, bad)).toThrow(DomainInputError);
    expect(() => checkReproductionGates(decision, bad)).toThrow("treasury.balanceUsd = NaN");
  });
});

describe("evaluateReproduction", () => {
  const NOW = Date.UTC(2026, 10, 23);
  const signals: ReproductionSignals = {
    now: NOW,
    metrics: { eventsPerSecond: 50, activeConnections: 500, storageUsedGi: 5 },
    resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
    connectionsByRegion: {},
    eventsByKind: {},
    family: { activeAgents: 1, regions: [], specialists: [] },
    lastReproductionAt: null,
    startedAt: NOW,
  };

  it("reproduces when a trigger fires and the gates are open", () => {
    const outcome = evaluateReproduction(signals, open);
    expect(outcome).toMatchObject({
      outcome: "reproduce",
      childFundingUsd: 35,
      decision: { trigger: "redundancy" },
    });
  });

  it("reports the blocking gate with the decision it blocked", () => {
    const outcome = evaluateReproduction(signals, { ...open, quota: { activeChildren: 0, maxChildren: 0 } });
    expect(outcome).toMatchObject({ outcome: "blocked", gate: "quota", decision: { trigger: "redundancy" } });
  });

  it("does not look at the gates when nothing fires", () => {
    const outcome = evaluateReproduction(
      { ...signals, family: { ...signals.family, activeAgents: 3 } },
      { ...open, quota: { activeChildren: -1, maxChildren: 0 } },
    );
    expect(outcome.outcome).toBe("no-trigger");
  });
});
