import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { UsageError } from "../../../src/errors.js";
import { agentSettingsFromConfig, initialDepositUact } from "../../../src/runtime/agent-settings.js";

const timing = { blockSeconds: 6 };

describe("agent settings: the daily spend cap leaves room for a move", () => {
  it("the defaults fit two deployment deposits (deposits count against the cap)", () => {
    const config = loadConfig({ env: {} });
    const twoDepositsUsd = (2 * Number(initialDepositUact(config))) / 1_000_000;
    expect(config.budget.dailySpendCapUsd).toBeGreaterThanOrEqual(twoDepositsUsd);
    expect(agentSettingsFromConfig(config, timing).treasury.dailySpendCapUsd).toBe(
      config.budget.dailySpendCapUsd,
    );
  });

  it("refuses a cap under two deposits, naming the field, the value and the fix", () => {
    const config = loadConfig({ env: { AGENT_BUDGET_DAILY_SPEND_CAP_USD: "25" } });
    expect(() => agentSettingsFromConfig(config, timing)).toThrow(UsageError);
    expect(() => agentSettingsFromConfig(config, timing)).toThrow(
      /budget\.dailySpendCapUsd = 25 is below two deployment deposits \(\$30\.00.*raise it to at least 30/,
    );
  });
});
