import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SDL } from "@akashnetwork/chain-sdk";
import { describe, expect, it } from "vitest";
import { runCli } from "../../support/run-cli.js";

const mnemonic =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

const dataDir = () => mkdtempSync(join(tmpdir(), "agent-cli-"));

describe("akash-agent sdl", () => {
  it("prints a redacted SDL that chain-sdk parses, with the resources and price it chose", async () => {
    const result = await runCli([
      "sdl",
      "--events-per-second",
      "450",
      "--connections",
      "25000",
      "--storage-used-gib",
      "120",
      "--budget-usd-day",
      "5",
      "--json",
    ]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.resources).toEqual({ cpuUnits: 5, memory: "7Gi", storage: "180Gi" });
    expect(output.maxPricePerBlock).toEqual({ denom: "uact", amount: "348" });
    const sdl = SDL.fromString(output.sdl, "beta3");
    expect(sdl.groups()).toHaveLength(1);
    expect(output.sdl).toContain("AGENT_ROLE=deployed");
    expect(output.sdl).not.toContain("AGENT_MNEMONIC");
  });

  it("uses the agent's identity and never prints its mnemonic", async () => {
    const result = await runCli(
      [
        "sdl",
        "--events-per-second",
        "10",
        "--connections",
        "10",
        "--storage-used-gib",
        "1",
        "--log-level",
        "trace",
      ],
      { AGENT_MNEMONIC: mnemonic },
    );
    expect(result.code).toBe(0);
    // Not even redacted: the agent's keys reach a deployed instance by activation, never the SDL.
    expect(result.stdout).not.toContain("AGENT_MNEMONIC");
    expect(`${result.stdout}${result.stderr}`).not.toContain("abandon abandon");
  });

  it("refuses bad input with a one-line error and exit code 2", async () => {
    const negative = await runCli([
      "sdl",
      "--events-per-second",
      "-5",
      "--connections",
      "1",
      "--storage-used-gib",
      "1",
    ]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain(
      "'--events-per-second <n>' argument '-5' is invalid. must be a number >= 0",
    );
    const unknown = await runCli([
      "sdl",
      "--events-per-second",
      "1",
      "--connections",
      "1",
      "--storage-used-gib",
      "1",
      "--cpus",
      "2",
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--cpus'");
  });
});

describe("akash-agent cost", () => {
  it("prices given resources per block, day and month", async () => {
    const result = await runCli(["cost", "--cpu", "4", "--memory-gi", "8", "--storage-gi", "100", "--json"]);
    expect(result.code).toBe(0);
    const cost = JSON.parse(result.stdout);
    expect(cost.perBlock.total).toBe("125.2");
    expect(cost.perDay.uact).toBe("1802880");
    expect(cost.perDay.usd).toBeCloseTo(1.80288, 5);
    const table = await runCli(["cost", "--cpu", "4", "--memory-gi", "8"]);
    expect(table.stdout).toMatch(/per day\s+1802880 uact\s+\$1\.80/);
  });

  it("finds the resources a daily budget buys", async () => {
    const result = await runCli(["cost", "--budget-usd-day", "3", "--json"]);
    const plan = JSON.parse(result.stdout);
    expect(plan.fitsBudget).toBe(true);
    expect(Number(plan.estimate.perBlock.total)).toBeLessThanOrEqual(Number(plan.maxPricePerBlock));
  });

  it("explains input it cannot use", async () => {
    const both = await runCli(["cost", "--cpu", "4", "--budget-usd-day", "3"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("cost takes one of");
    const tooBig = await runCli(["cost", "--cpu", "12"]);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr.trim()).toBe(
      "akash-agent: invalid input: resources.cpuUnits = 12: must be a whole number from 2 to 8",
    );
  });
});

// Each command here runs scrypt (N = 2^17) and init generates an RSA-4096 Arweave key: slow on a busy machine.
describe("akash-agent init and keys show", { timeout: 180_000 }, () => {
  it("creates a keystore, shows the same identity, refuses to overwrite it, and keeps secrets out of files and output", async () => {
    const data = dataDir();
    const env = { AGENT_PASSPHRASE: "correct horse battery staple" };
    const created = await runCli(["init", "--data", data, "--json"], env);
    expect(created.code).toBe(0);
    const identity = JSON.parse(created.stdout);
    expect(identity.akash).toMatch(/^akash1/);
    expect(identity.evm).toMatch(/^0x[0-9a-fA-F]{40}$/);

    const shown = await runCli(["keys", "show", "--json", "--data", data], env);
    expect(shown.code).toBe(0);
    const { arweave: _arweave, keystore: _keystore, ...publicIdentity } = identity;
    expect(JSON.parse(shown.stdout)).toEqual(publicIdentity);

    const again = await runCli(["init", "--data", data], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("pass --force to replace it");

    const wrong = await runCli(["keys", "show", "--data", data], { AGENT_PASSPHRASE: "wrong" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toMatch(
      /cannot decrypt keystore at .*: wrong passphrase or the file was modified$/,
    );

    const forced = await runCli(["init", "--data", data, "--force", "--json"], env);
    expect(forced.code).toBe(0);
    expect(readdirSync(data).filter((name) => name.endsWith(".bak"))).toHaveLength(1);
    expect(JSON.parse(forced.stdout).akash).not.toBe(identity.akash);

    const keystore = readFileSync(join(data, "keystore.json"), "utf8");
    expect(keystore).not.toContain(env.AGENT_PASSPHRASE);
    for (const output of [created, shown, again, wrong, forced]) {
      expect(`${output.stdout}${output.stderr}`).not.toContain(env.AGENT_PASSPHRASE);
    }
  });

  it("reads the identity from AGENT_MNEMONIC", async () => {
    const shown = await runCli(["keys", "show", "--json"], { AGENT_MNEMONIC: mnemonic });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ akash: expect.stringMatching(/^akash1/) });
    expect(shown.stdout).not.toContain("abandon");
  });

  it("refuses key rotation with the environment keystore at start, with exit code 2", async () => {
    const result = await runCli(
      ["run", "--network", "devnet", "--devnet-url", "http://127.0.0.1:9", "--data", dataDir()],
      { AGENT_MNEMONIC: mnemonic, AGENT_KEY_ROTATION_ENABLED: "true" },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /keyRotation\.enabled is true but the keystore \(environment \(AGENT_MNEMONIC\)\) cannot save a rotated key index.*use a keystore file \(`akash-agent init`/,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(mnemonic.split(" ").slice(0, 3).join(" "));
  });

  it("says how to create a missing keystore, with exit code 2", async () => {
    const missing = await runCli(["keys", "show", "--data", join(dataDir(), "nowhere")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no keystore at .*: create one with `akash-agent init`/);
  });

  it("rejects an invalid setting by name", async () => {
    const result = await runCli(["cost"], { AGENT_BUDGET_ACT_USD: "abc" });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'akash-agent: invalid config: budget.actUsd = "abc" (from AGENT_BUDGET_ACT_USD): expected number',
    );
  });
});

describe("akash-agent status", () => {
  it("without agent state says so, and names the newest embedded-devnet run when there is one", async () => {
    const dir = dataDir();
    const empty = await runCli(["status", "--data", dir]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(
      `no agent state in ${dir}: point --data at the directory the agent ran with`,
    );

    for (const run of ["2026-11-23T10-00-00-000Z", "2026-11-23T11-00-00-000Z"]) {
      mkdirSync(join(dir, "devnet-runs", run), { recursive: true });
    }
    const hinted = await runCli(["status", "--data", dir]);
    expect(hinted.code).toBe(2);
    expect(hinted.stderr).toContain(
      `akash-agent status --data ${join(dir, "devnet-runs", "2026-11-23T11-00-00-000Z")}`,
    );
  });
});
