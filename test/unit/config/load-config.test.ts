import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFields, loadConfig } from "../../../src/config/index.js";
import { UsageError } from "../../../src/errors.js";

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "agent-config-"));
  const file = join(dir, "agent.yaml");
  writeFileSync(file, text);
  return file;
}

function errorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

describe("loadConfig", () => {
  it("gives every setting a default", () => {
    const config = loadConfig({ env: {} });
    expect(config.network).toBe("devnet");
    expect(config.budget.targetUsdPerDay).toBe(5);
    expect(config.thresholds).toEqual({
      memoryPercent: 90,
      diskPercent: 85,
      cpuPercent: 95,
      walletRunwayDays: 7,
      degradedAfterFailures: 3,
    });
    expect(config.scoring).toEqual({
      priceWeight: 40,
      uptimeWeight: 30,
      reputationWeight: 20,
      diversityWeight: 10,
    });
    expect(config.networks.mainnet.chainId).toBe("akashnet-2");
  });

  it("layers file, then environment, then flags", () => {
    const file = yamlFile("budget:\n  targetUsdPerDay: 3\n  actUsd: 1.01\nnetwork: sandbox\n");
    const env = { AGENT_BUDGET_TARGET_USD_PER_DAY: "4", AGENT_NETWORK: "mainnet" };
    expect(loadConfig({ file, env }).budget).toMatchObject({ targetUsdPerDay: 4, actUsd: 1.01 });
    const config = loadConfig({ file, env, flags: { network: "devnet" } });
    expect(config.network).toBe("devnet");
    expect(config.budget.targetUsdPerDay).toBe(4);
  });

  it("overrides one endpoint without losing the others", () => {
    const config = loadConfig({ env: { AGENT_NETWORKS_MAINNET_RPC: "https://rpc.example.org" } });
    expect(config.networks.mainnet).toMatchObject({ rpc: "https://rpc.example.org", chainId: "akashnet-2" });
  });

  it("reads booleans and lists from the environment", () => {
    const config = loadConfig({
      env: {
        AGENT_REPRODUCTION_ENABLED: "true",
        AGENT_ALERTS_WEBHOOKS: "https://a.example/hook, https://b.example/hook",
      },
    });
    expect(config.reproduction.enabled).toBe(true);
    expect(config.alerts.webhooks).toEqual(["https://a.example/hook", "https://b.example/hook"]);
  });

  it("names the field, the value, the source and what is allowed", () => {
    const fromEnv = errorOf(() => loadConfig({ env: { AGENT_THRESHOLDS_MEMORY_PERCENT: "140" } }));
    expect(fromEnv.message).toBe(
      "invalid config: thresholds.memoryPercent = 140 (from AGENT_THRESHOLDS_MEMORY_PERCENT): must be <= 100",
    );
    expect(fromEnv.exitCode).toBe(2);

    const file = yamlFile("network: moon\n");
    expect(errorOf(() => loadConfig({ file, env: {} })).message).toBe(
      `invalid config: network = "moon" (from ${file}): allowed: devnet, sandbox, mainnet`,
    );

    const typo = yamlFile("budget:\n  targetUsdPerDy: 3\n");
    expect(errorOf(() => loadConfig({ file: typo, env: {} })).message).toBe(
      `invalid config under budget (from ${typo}): unknown setting targetUsdPerDy`,
    );

    expect(errorOf(() => loadConfig({ env: { AGENT_BUDGET_ACT_USD: "abc" } })).message).toBe(
      'invalid config: budget.actUsd = "abc" (from AGENT_BUDGET_ACT_USD): expected number',
    );
    expect(errorOf(() => loadConfig({ env: {}, flags: { "budget.targetUsdPerDay": -1 } })).message).toBe(
      "invalid config: budget.targetUsdPerDay = -1 (from command line): must be > 0",
    );
    // An element of a list setting is named with the list's own source, not "defaults".
    expect(
      errorOf(() =>
        loadConfig({ env: { AGENT_NETWORKS_MAINNET_RPC_FALLBACKS: "https://rpc.example.org,notaurl" } }),
      ).message,
    ).toBe(
      'invalid config: networks.mainnet.rpcFallbacks.1 = "notaurl" (from AGENT_NETWORKS_MAINNET_RPC_FALLBACKS): expected a URL',
    );
  });

  it("refuses the settings that did nothing (alerts.nostr*), naming the setting and why", () => {
    const fromEnv = errorOf(() => loadConfig({ env: { AGENT_ALERTS_NOSTR_RELAYS: "wss://relay.example" } }));
    expect(fromEnv.message).toMatch(
      /^invalid config: alerts\.nostrRelays = .* \(from AGENT_ALERTS_NOSTR_RELAYS\): no longer a setting, renamed: the relays are nostr\.relays/,
    );
    expect(fromEnv.exitCode).toBe(2);

    const file = yamlFile("alerts:\n  nostrOperator: npub1example\n");
    expect(errorOf(() => loadConfig({ file, env: {} })).message).toBe(
      `invalid config: alerts.nostrOperator = "npub1example" (from ${file}): no longer a setting, renamed: list the operators' npubs in alerts.nostr.npubs; remove it`,
    );
    expect(configFields.filter((field) => /^alerts\.nostr(Operator|Relays)/.test(field.key))).toEqual([]);
  });

  it("reads the HTTP port and the admin keys (AGENT_ADMIN_NPUBS, comma-separated) from the environment", () => {
    const hex = "a".repeat(64);
    const config = loadConfig({
      env: {
        AGENT_HTTP_PORT: "9090",
        AGENT_HTTP_HOST: "0.0.0.0",
        AGENT_ADMIN_NPUBS: `${hex}, ${"b".repeat(64)}`,
      },
    });
    expect(config.http).toEqual({ host: "0.0.0.0", port: 9090 });
    expect(config.admin.npubs).toEqual([hex, "b".repeat(64)]);
    expect(errorOf(() => loadConfig({ env: { AGENT_ADMIN_NPUBS: "npub1nope" } })).message).toMatch(
      /^invalid config: admin\.npubs\.0 = "npub1nope" \(from AGENT_ADMIN_NPUBS\): an npub1… key or 64 hex characters/,
    );
  });

  it("explains an unreadable or malformed file", () => {
    expect(errorOf(() => loadConfig({ file: "/nonexistent/agent.yaml", env: {} })).message).toMatch(
      /cannot read config file \/nonexistent\/agent.yaml \(ENOENT\)/,
    );
    const bad = yamlFile("budget: [1, 2\n");
    expect(errorOf(() => loadConfig({ file: bad, env: {} })).message).toMatch(/is not valid YAML/);
    const scalar = yamlFile("42\n");
    expect(errorOf(() => loadConfig({ file: scalar, env: {} })).message).toMatch(/must hold a YAML mapping/);
  });

  it("never reads secrets as settings", () => {
    const config = loadConfig({ env: { AGENT_MNEMONIC: "abandon abandon", AGENT_PASSPHRASE: "pw" } });
    expect(JSON.stringify(config)).not.toContain("abandon");
    expect(configFields.some((field) => field.envName === "AGENT_MNEMONIC")).toBe(false);
  });

  it("derives a distinct env variable for every field", () => {
    const names = configFields.map((field) => field.envName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("AGENT_KEY_ROTATION_GRACE_HOURS");
  });
});
