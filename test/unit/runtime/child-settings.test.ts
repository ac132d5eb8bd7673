import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { agentSettingsFromConfig } from "../../../src/runtime/agent-settings.js";
import { inheritedChildSettings } from "../../../src/runtime/child-settings.js";
import { childEnvironment } from "../../../src/services/family/index.js";

describe("what a child inherits of the family's settings", () => {
  const parent = loadConfig({
    env: {},
    flags: {
      "reproduction.enabled": true,
      "reproduction.maxChildren": 4,
      "reproduction.silenceThresholdMs": 15_000,
      "reproduction.heartbeatCheckMs": 500,
    },
  });

  it("the family's heartbeat timing, and none of the parent's own reproduction settings", () => {
    const inherited = inheritedChildSettings(parent, "agent-parent");
    expect(inherited["reproduction.silenceThresholdMs"]).toBe(15_000);
    expect(inherited["reproduction.heartbeatCheckMs"]).toBe(500);
    expect(inherited["reproduction.enabled"]).toBeUndefined();
    expect(inherited["reproduction.maxChildren"]).toBeUndefined();
    expect(inherited["agent.parentAgentId"]).toBe("agent-parent");
  });

  it("so a child's sibling watch judges silence as its parent does", () => {
    const env = childEnvironment({
      network: "devnet",
      devnetUrl: null,
      parent: {
        akash: "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
        npub: "npub1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
      },
      relays: ["ws://127.0.0.1:7000"],
      avoidProviders: [],
      reproductionEnabled: false,
      extra: inheritedChildSettings(parent, "agent-parent"),
    });
    const child = loadConfig({ env });
    const settings = agentSettingsFromConfig(child, { blockSeconds: 6 }).siblingWatch;
    expect(settings).toEqual({
      silenceThresholdMs: 15_000,
      heartbeatCheckMs: 500,
      relays: ["ws://127.0.0.1:7000"],
      parentNpub: "npub1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
    });
    expect(agentSettingsFromConfig(parent, { blockSeconds: 6 }).siblingWatch).toBeNull();
  });
});
