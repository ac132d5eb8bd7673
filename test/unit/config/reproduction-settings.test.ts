import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFields, loadConfig } from "../../../src/config/index.js";
import { UsageError } from "../../../src/errors.js";

const AKASH = "akash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";
const NPUB = "npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m";

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("expected a UsageError");
}

describe("reproduction settings", () => {
  it("have defaults: budgets, grant days, heartbeat timing, every trigger, no parent", () => {
    const config = loadConfig({ env: {} });
    expect(config.reproduction).toMatchObject({
      childBudgetUact: "50000000",
      childFeeBudgetUakt: "5000000",
      grantDays: 30,
      heartbeatCheckMs: 60_000,
      silenceThresholdMs: 600_000,
      triggers: ["high_load", "geographic_demand", "redundancy", "specialization", "scheduled"],
    });
    expect(config.reproduction.parent).toBeUndefined();
    expect(config.bidding.avoidProviders).toEqual([]);
  });

  it("come from AGENT_* variables, the parent's pair included", () => {
    const config = loadConfig({
      env: {
        AGENT_REPRODUCTION_CHILD_BUDGET_UACT: "7000000",
        AGENT_REPRODUCTION_CHILD_FEE_BUDGET_UAKT: "900000",
        AGENT_REPRODUCTION_GRANT_DAYS: "7",
        AGENT_REPRODUCTION_TRIGGERS: "redundancy,scheduled",
        AGENT_REPRODUCTION_PARENT_AKASH: AKASH,
        AGENT_REPRODUCTION_PARENT_NPUB: NPUB,
        AGENT_BIDDING_AVOID_PROVIDERS: AKASH,
      },
    });
    expect(config.reproduction).toMatchObject({
      childBudgetUact: "7000000",
      childFeeBudgetUakt: "900000",
      grantDays: 7,
      triggers: ["redundancy", "scheduled"],
      parent: { akash: AKASH, npub: NPUB },
    });
    expect(config.bidding.avoidProviders).toEqual([AKASH]);
    const names = configFields.map((field) => field.envName);
    expect(names).toEqual(
      expect.arrayContaining([
        "AGENT_REPRODUCTION_PARENT_AKASH",
        "AGENT_REPRODUCTION_PARENT_NPUB",
        "AGENT_REPRODUCTION_HEARTBEAT_CHECK_MS",
        "AGENT_REPRODUCTION_SILENCE_THRESHOLD_MS",
        "AGENT_BIDDING_AVOID_PROVIDERS",
      ]),
    );
  });

  it("read a YAML number as its digits", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-config-"));
    const file = join(dir, "agent.yaml");
    writeFileSync(file, "reproduction:\n  childBudgetUact: 25000000\n");
    expect(loadConfig({ file, env: {} }).reproduction.childBudgetUact).toBe("25000000");
  });

  it("refuse bad values naming the setting and what is allowed", () => {
    expect(message(() => loadConfig({ env: { AGENT_REPRODUCTION_CHILD_BUDGET_UACT: "1.5" } }))).toBe(
      'invalid config: reproduction.childBudgetUact = "1.5" (from AGENT_REPRODUCTION_CHILD_BUDGET_UACT): a whole amount of uact above 0, in digits (e.g. "50000000"; quote it in YAML)',
    );
    expect(message(() => loadConfig({ env: { AGENT_REPRODUCTION_CHILD_FEE_BUDGET_UAKT: "0" } }))).toMatch(
      /^invalid config: reproduction\.childFeeBudgetUakt = "0" .*a whole amount of uakt above 0/,
    );
    expect(message(() => loadConfig({ env: { AGENT_REPRODUCTION_GRANT_DAYS: "0" } }))).toMatch(
      /reproduction\.grantDays = 0 .*must be > 0/,
    );
    expect(message(() => loadConfig({ env: { AGENT_REPRODUCTION_TRIGGERS: "high_load,boredom" } }))).toMatch(
      /reproduction\.triggers\.1 = "boredom" .*allowed: high_load, geographic_demand, redundancy, specialization, scheduled/,
    );
    expect(message(() => loadConfig({ env: { AGENT_REPRODUCTION_PARENT_AKASH: "cosmos1xyz" } }))).toMatch(
      /reproduction\.parent\.akash = "cosmos1xyz" .*an akash1… address/,
    );
    expect(message(() => loadConfig({ env: { AGENT_REPRODUCTION_PARENT_AKASH: AKASH } }))).toMatch(
      /reproduction\.parent\.npub = undefined .*missing: a child.s parent needs both akash and npub/,
    );
    expect(message(() => loadConfig({ env: { AGENT_BIDDING_AVOID_PROVIDERS: "nope" } }))).toMatch(
      /bidding\.avoidProviders\.0 = "nope" .*an akash1… address/,
    );
  });
});
