import { describe, expect, it } from "vitest";
import { findConfigField } from "../../../src/config/config-fields.js";
import { loadConfig } from "../../../src/config/index.js";
import { UsageError } from "../../../src/errors.js";
import {
  actFloatUact,
  agentSettingsFromConfig,
  initialDepositUact,
} from "../../../src/runtime/agent-settings.js";
import { configuredCronosEndpoints } from "../../../src/runtime/cronos-endpoints-config.js";
import { cronosPolicyFromConfig } from "../../../src/runtime/cronos-treasury-setup.js";
import { thrownBy } from "../../support/thrown-by.js";

const timing = { blockSeconds: 6 };

describe("config: treasury.* and budget.* settings of the Cronos leg, tiers and float", () => {
  it("each setting has its AGENT_* variable, read with its type", () => {
    expect(findConfigField("treasury.slippageCapPercent")?.envName).toBe(
      "AGENT_TREASURY_SLIPPAGE_CAP_PERCENT",
    );
    expect(findConfigField("budget.perSwapCapUsd")?.envName).toBe("AGENT_BUDGET_PER_SWAP_CAP_USD");
    expect(findConfigField("treasury.cronos.mainnet.router")?.envName).toBe(
      "AGENT_TREASURY_CRONOS_MAINNET_ROUTER",
    );
    const config = loadConfig({
      env: {
        AGENT_TREASURY_SLIPPAGE_CAP_PERCENT: "1.5",
        AGENT_BUDGET_PER_SWAP_CAP_USD: "20",
        AGENT_TREASURY_GAS_FEE_CEILING_GWEI: "500",
        AGENT_TREASURY_FRUGAL_BELOW_DAYS: "20",
        AGENT_TREASURY_CRITICAL_BELOW_DAYS: "5",
      },
    });
    const policy = cronosPolicyFromConfig(config, 1000);
    expect(policy).toMatchObject({
      slippageCapPercent: 1.5,
      perSwapCapUsd: 20,
      gasFeeCeilingWei: 500_000_000_000n,
    });
    expect(agentSettingsFromConfig(config, timing).treasury.tiers).toEqual({
      frugalBelowDays: 20,
      criticalBelowDays: 5,
    });
  });

  it("mainnet defaults to VVS Finance and AKT on Cronos (DESIGN §14); sandbox has no Cronos leg unless configured", () => {
    expect(configuredCronosEndpoints(loadConfig({ env: {}, flags: { network: "mainnet" } })).cronos).toEqual({
      rpc: "https://evm.cronos.org",
      chainId: 25,
      router: "0x145863Eb42Cf62847A6Ca784e6416C1682b1b2Ae",
      wcro: "0x5C7F8A570d578ED84E63fdFA7b1eE72dEae1AE23",
      akt: "0x39a65A74Dc5A778Ff93d1765Ea51F57BC49c81B3",
    });
    expect(
      configuredCronosEndpoints(loadConfig({ env: {}, flags: { network: "sandbox" } })).cronos,
    ).toBeUndefined();
  });

  it("refuses bad values with the field, the value and what is allowed", () => {
    expect(thrownBy(() => loadConfig({ env: { AGENT_TREASURY_SLIPPAGE_CAP_PERCENT: "80" } })).message).toBe(
      "invalid config: treasury.slippageCapPercent = 80 (from AGENT_TREASURY_SLIPPAGE_CAP_PERCENT): must be <= 50",
    );
    expect(
      thrownBy(() => loadConfig({ env: { AGENT_TREASURY_CRONOS_MAINNET_ROUTER: "0x1234" } })).message,
    ).toMatch(/treasury\.cronos\.mainnet\.router = "0x1234" .*a 0x… EVM address \(40 hex digits\)/);
    const inverted = loadConfig({
      env: { AGENT_TREASURY_FRUGAL_BELOW_DAYS: "5", AGENT_TREASURY_CRITICAL_BELOW_DAYS: "7" },
    });
    const error = thrownBy(() => agentSettingsFromConfig(inverted, timing));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      "treasury.criticalBelowDays = 7 must be below treasury.frugalBelowDays = 5: lower the first or raise the second",
    );
  });

  it("the ACT float is one deployment deposit plus one top-up unless set in USD", () => {
    const config = loadConfig({ env: {} });
    const deposit = initialDepositUact(config);
    // $5/day: a deposit holds 72 h ($15), a top-up adds 72 − 24 = 48 h ($10).
    expect(deposit).toBe(15_000_000n);
    expect(actFloatUact(config, deposit)).toBe(25_000_000n);
    expect(actFloatUact(loadConfig({ env: { AGENT_TREASURY_ACT_FLOAT_USD: "40" } }), deposit)).toBe(
      40_000_000n,
    );
    expect(agentSettingsFromConfig(config, timing).treasury.actFloatUact).toBe("25000000");
  });
});
