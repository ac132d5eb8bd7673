import { describe, expect, it } from "vitest";
import {
  cheapestViableResources,
  runwayDays,
  survivalTier,
  tierAllowance,
} from "../../../src/domain/index.js";

const tiers = { frugalBelowDays: 30, criticalBelowDays: 7 };

describe("survival tiers from the runway", () => {
  it("runway is what is held over what burns per day; nothing burning is no runway figure", () => {
    expect(runwayDays(150, 5)).toBe(30);
    expect(runwayDays(-3, 5)).toBe(0);
    expect(runwayDays(150, 0)).toBeNull();
  });

  it("normal at and above the frugal line, frugal below it, critical below the critical line", () => {
    expect(survivalTier(30, tiers)).toBe("normal");
    expect(survivalTier(29.9, tiers)).toBe("frugal");
    expect(survivalTier(7, tiers)).toBe("frugal");
    expect(survivalTier(6.99, tiers)).toBe("critical");
    expect(survivalTier(null, tiers)).toBe("normal");
  });

  it("only normal reproduces; only critical takes the cheapest viable SDL", () => {
    expect(tierAllowance("normal")).toEqual({ reproduction: true, cheapestSdl: false });
    expect(tierAllowance("frugal")).toEqual({ reproduction: false, cheapestSdl: false });
    expect(tierAllowance("critical")).toEqual({ reproduction: false, cheapestSdl: true });
  });

  it("the cheapest viable resources are the floor of every range with room for the stored data", () => {
    expect(cheapestViableResources(0)).toEqual({ cpuUnits: 2, memoryGi: 4, storageGi: 100 });
    expect(cheapestViableResources(200)).toEqual({ cpuUnits: 2, memoryGi: 4, storageGi: 300 });
  });
});
