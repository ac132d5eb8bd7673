import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainInputError, RESOURCE_LIMITS, resourcesForTraffic } from "../../../src/domain/index.js";

describe("resourcesForTraffic", () => {
  it("applies the design notes' rules", () => {
    expect(
      resourcesForTraffic({ eventsPerSecond: 350, activeConnections: 25_000, storageUsedGi: 80 }),
    ).toEqual({
      cpuUnits: 4, // ⌈350/100⌉
      memoryGi: 7, // 4 + ⌈25 000/10 000⌉
      storageGi: 120, // ⌈80 × 1.5⌉
    });
  });

  it("clamps each resource at both ends", () => {
    expect(resourcesForTraffic({ eventsPerSecond: 0, activeConnections: 0, storageUsedGi: 0 })).toEqual({
      cpuUnits: 2,
      memoryGi: 4,
      storageGi: 100,
    });
    expect(resourcesForTraffic({ eventsPerSecond: 1e9, activeConnections: 1e9, storageUsedGi: 1e9 })).toEqual(
      {
        cpuUnits: 8,
        memoryGi: 16,
        storageGi: 500,
      },
    );
    // Just past each lower bound and just at each upper bound.
    expect(resourcesForTraffic({ eventsPerSecond: 201, activeConnections: 1, storageUsedGi: 67 })).toEqual({
      cpuUnits: 3,
      memoryGi: 5,
      storageGi: 101,
    });
    expect(
      resourcesForTraffic({ eventsPerSecond: 800, activeConnections: 120_000, storageUsedGi: 333.4 }),
    ).toEqual({
      cpuUnits: 8,
      memoryGi: 16,
      storageGi: 500,
    });
  });

  it("always stays inside the limits and never shrinks when traffic grows", () => {
    const metrics = fc.record({
      eventsPerSecond: fc.double({ min: 0, max: 1e6, noNaN: true }),
      activeConnections: fc.double({ min: 0, max: 1e7, noNaN: true }),
      storageUsedGi: fc.double({ min: 0, max: 1e5, noNaN: true }),
    });
    fc.assert(
      fc.property(metrics, fc.double({ min: 1, max: 10, noNaN: true }), (m, growth) => {
        const size = resourcesForTraffic(m);
        for (const key of ["cpuUnits", "memoryGi", "storageGi"] as const) {
          expect(Number.isInteger(size[key])).toBe(true);
          expect(size[key]).toBeGreaterThanOrEqual(RESOURCE_LIMITS[key].min);
          expect(size[key]).toBeLessThanOrEqual(RESOURCE_LIMITS[key].max);
        }
        const bigger = resourcesForTraffic({
          eventsPerSecond: m.eventsPerSecond * growth,
          activeConnections: m.activeConnections * growth,
          storageUsedGi: m.storageUsedGi * growth,
        });
        expect(bigger.cpuUnits).toBeGreaterThanOrEqual(size.cpuUnits);
        expect(bigger.memoryGi).toBeGreaterThanOrEqual(size.memoryGi);
        expect(bigger.storageGi).toBeGreaterThanOrEqual(size.storageGi);
      }),
    );
  });

  it.each([
    ["eventsPerSecond", -1, "metrics.eventsPerSecond = -1: must be a finite number ≥ 0"],
    ["activeConnections", Number.NaN, "metrics.activeConnections = NaN: must be a finite number ≥ 0"],
    [
      "storageUsedGi",
      Number.POSITIVE_INFINITY,
      "metrics.storageUsedGi = Infinity: must be a finite number ≥ 0",
    ],
  ])("rejects %s = %s naming the field", (field, value, message) => {
    const metrics = { eventsPerSecond: 1, activeConnections: 1, storageUsedGi: 1, [field]: value };
    const error = (() => {
      try {
        resourcesForTraffic(metrics);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(DomainInputError);
    expect((error as DomainInputError).field).toBe(`metrics.${field}`);
    expect((error as DomainInputError).exitCode).toBe(2);
    expect((error as Error).message).toBe(`invalid input: ${message}`);
  });
});
