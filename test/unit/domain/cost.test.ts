import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DecAmount,
  DomainInputError,
  estimateCost,
  MAX_RESOURCES,
  MIN_RESOURCES,
  RESOURCE_LIMITS,
  resourcesForBudget,
} from "../../../src/domain/index.js";

describe("estimateCost", () => {
  it("prices the whole deployment with the default rates", () => {
    const estimate = estimateCost(MIN_RESOURCES, { actUsd: 1 });
    // agent-relay 2 cpu, 4Gi, 100+10Gi; postgres 1 cpu, 2Gi, 1+50Gi; redis 0.5 cpu, 2Gi, 5Gi.
    expect(estimate.services.map((service) => [service.service, service.perBlock])).toEqual([
      ["agent-relay", "54"], // 2×10 + 4×3 + 110×0.2
      ["postgres", "26.2"], // 10 + 6 + 51×0.2
      ["redis", "12"], // 5 + 6 + 5×0.2
    ]);
    expect(estimate.perBlock).toEqual({
      cpu: "35",
      memory: "24",
      storage: "33.2",
      network: "1",
      total: "93.2",
    });
    expect(estimate.perDay).toEqual({ uact: "1342080", usd: 1.34208 });
    expect(estimate.perMonth).toEqual({ uact: "40262400", usd: 40.2624 });
  });

  it("keeps fractional per-block rates exact and converts to USD at the ACT price", () => {
    const estimate = estimateCost(
      { cpuUnits: 3, memoryGi: 5, storageGi: 150 },
      {
        actUsd: 0.98,
        rates: { cpuPerUnit: "3.703703", memoryPerGi: 1.85, storagePerGi: "0.046", networkBase: 0 },
      },
    );
    // cpu 4.5 units × 3.703703, memory 9Gi × 1.85, storage 216Gi × 0.046
    expect(estimate.perBlock.cpu).toBe("16.6666635");
    expect(estimate.perBlock.memory).toBe("16.65");
    expect(estimate.perBlock.storage).toBe("9.936");
    expect(estimate.perBlock.total).toBe("43.2526635");
    expect(estimate.perDay.uact).toBe("622838.3544");
    expect(estimate.perDay.usd).toBeCloseTo(0.610381587, 9);
    expect(estimate.rates.cpuPerUnit).toBe("3.703703");
  });

  it("grows with every resource", () => {
    const base = DecAmount.parse("t", estimateCost(MIN_RESOURCES, { actUsd: 1 }).perBlock.total);
    for (const key of ["cpuUnits", "memoryGi", "storageGi"] as const) {
      const bigger = estimateCost({ ...MIN_RESOURCES, [key]: MIN_RESOURCES[key] + 1 }, { actUsd: 1 });
      expect(DecAmount.parse("t", bigger.perBlock.total).compare(base)).toBe(1);
    }
  });

  it("rejects bad rates, sizes and prices naming the field", () => {
    const rates = { cpuPerUnit: "-1", memoryPerGi: 1, storagePerGi: 1, networkBase: 1 };
    expect(() => estimateCost(MIN_RESOURCES, { actUsd: 1, rates })).toThrow("rates.cpuPerUnit");
    expect(() => estimateCost({ ...MIN_RESOURCES, memoryGi: 17 }, { actUsd: 1 })).toThrow(
      "resources.memoryGi = 17: must be a whole number from 4 to 16",
    );
    expect(() => estimateCost(MIN_RESOURCES, { actUsd: Number.NaN })).toThrow(DomainInputError);
  });
});

describe("resourcesForBudget", () => {
  it("gives the largest deployment when the budget allows it", () => {
    const plan = resourcesForBudget({ targetUsdPerDay: 5, actUsd: 1 });
    expect(plan.maxPricePerBlock).toBe("348");
    expect(plan.resources).toEqual(MAX_RESOURCES);
    expect(plan.fitsBudget).toBe(true);
    expect(plan.estimate.perBlock.total).toBe("269.2");
  });

  it("shares the surplus 60/20/20 between cpu, memory and storage", () => {
    // 139 uact/block, 93.2 for the minimum: 45.8 to share.
    const plan = resourcesForBudget({ targetUsdPerDay: 2, actUsd: 1 });
    expect(plan.resources).toEqual({ cpuUnits: 4, memoryGi: 7, storageGi: 180 });
    expect(plan.estimate.perBlock.total).toBe("138.2");
    expect(plan.fitsBudget).toBe(true);
  });

  it("says so when even the smallest deployment is over budget", () => {
    const plan = resourcesForBudget({ targetUsdPerDay: 1, actUsd: 1 }); // 70 uact/block
    expect(plan.resources).toEqual(MIN_RESOURCES);
    expect(plan.fitsBudget).toBe(false);
    expect(plan.shortfallPerBlock).toBe("23.2");
  });

  it("maxes out a resource that costs nothing", () => {
    const rates = { cpuPerUnit: 10, memoryPerGi: 3, storagePerGi: 0, networkBase: 1 };
    const plan = resourcesForBudget({ targetUsdPerDay: 1.5, actUsd: 1 }, { rates });
    expect(plan.resources.storageGi).toBe(500);
    expect(plan.fitsBudget).toBe(true);
  });

  it("never exceeds the budget when it fits, and stays inside the limits", () => {
    const rate = fc.integer({ min: 0, max: 50_000 }).map((milli) => (milli / 1000).toString());
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.record({ cpuPerUnit: rate, memoryPerGi: rate, storagePerGi: rate, networkBase: rate }),
        (cents, rates) => {
          const plan = resourcesForBudget({ targetUsdPerDay: cents / 100, actUsd: 1 }, { rates });
          for (const key of ["cpuUnits", "memoryGi", "storageGi"] as const) {
            expect(plan.resources[key]).toBeGreaterThanOrEqual(RESOURCE_LIMITS[key].min);
            expect(plan.resources[key]).toBeLessThanOrEqual(RESOURCE_LIMITS[key].max);
          }
          const total = DecAmount.parse("total", plan.estimate.perBlock.total);
          const budget = DecAmount.parse("max", plan.maxPricePerBlock);
          expect(plan.fitsBudget).toBe(total.compare(budget) <= 0);
          if (!plan.fitsBudget) expect(plan.resources).toEqual(MIN_RESOURCES);
        },
      ),
    );
  });
});
