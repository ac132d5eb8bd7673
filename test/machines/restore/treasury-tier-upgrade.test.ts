import { describe, expect, it } from "vitest";
import { AGENT_MACHINE_VERSION, AGENT_SNAPSHOT_UPGRADES } from "../../../src/machines/index.js";
import { treasurySettings } from "../../support/machine-fixtures.js";

describe("agent snapshot 4 → 5: the treasury keeps its survival tier", () => {
  it("adds tier null to the treasury's context and leaves every other context as it was", () => {
    expect(AGENT_MACHINE_VERSION).toBe("5");
    const version4 = {
      context: { settings: { treasury: treasurySettings } },
      children: {
        treasury: {
          snapshot: {
            value: { watching: "waiting" },
            context: { agentId: "a", swapBlocked: null, swaps: 2 },
          },
        },
        lease: { snapshot: { value: "undeployed", context: { dseq: null } } },
      },
    };
    const upgraded = AGENT_SNAPSHOT_UPGRADES["4"]!(structuredClone(version4));
    expect(upgraded.children.treasury.snapshot.context).toEqual({
      agentId: "a",
      swapBlocked: null,
      swaps: 2,
      tier: null,
    });
    expect(upgraded.children.lease).toEqual(version4.children.lease);
    expect(upgraded.context).toEqual(version4.context);
  });
});
