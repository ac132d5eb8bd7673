import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { agentSettingsFromConfig } from "../../../src/runtime/agent-settings.js";

/** Review finding: the running agent always started at 2 CPU / 4 Gi / 100 Gi whatever its traffic. */
describe("the first deployment's size", () => {
  const sizeFor = (flags: Record<string, unknown>) =>
    agentSettingsFromConfig(loadConfig({ env: {}, flags }), { blockSeconds: 6 }).resources;

  it("follows the configured traffic through the sizing rules", () => {
    expect(
      sizeFor({
        "traffic.eventsPerSecond": 450,
        "traffic.connections": 25_000,
        "traffic.storageUsedGib": 200,
      }),
    ).toEqual({ cpuUnits: 5, memoryGi: 7, storageGi: 300 });
  });

  it("is the smallest size when no traffic is configured", () => {
    expect(sizeFor({})).toEqual({ cpuUnits: 2, memoryGi: 4, storageGi: 100 });
  });

  it("reads the traffic from the environment like every setting", () => {
    const config = loadConfig({ env: { AGENT_TRAFFIC_EVENTS_PER_SECOND: "790" } });
    expect(agentSettingsFromConfig(config, { blockSeconds: 6 }).resources.cpuUnits).toBe(8);
  });
});
