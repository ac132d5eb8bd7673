import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownCliCommand } from "../../src/devnet/agent-entry-point.js";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { resolveDevnetEndpoints } from "../../src/services/akash/akash-endpoints.js";
import { openChildGrantsReader } from "../../src/services/akash/child-grants-reader.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import type { ChildAgent } from "../../src/services/store/child-repository.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { settingsEnv } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

/**
 * DESIGN §13, birth under crashes: the parent agent (a real `akash-agent run` process) is SIGKILLed
 * at each step of a birth — the child registered, its grants on chain, its deployment on chain, the
 * child leading itself — and started again on the same data directory. In the end there is one child,
 * active, with one deployment and one grant transaction: no orphan, no duplicate.
 */
describe("a parent killed at each step of a birth", () => {
  let devnet: DevnetHandle;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  let running: ChildProcess | null = null;

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 4,
      nostr: true,
      ...agentProcessOptions(tempDir("crash-logs-")),
    });
  }, 60_000);
  afterAll(async () => {
    running?.kill("SIGKILL");
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("leaves exactly one child deployment and one grant, and the child active", async () => {
    const mnemonic = generateMnemonic().reveal();
    const parentKeys = AgentKeys.fromContents(
      await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load(),
    );
    const dataDir = tempDir("crash-parent-");
    const env = {
      ...process.env,
      AGENT_MNEMONIC: mnemonic,
      ...settingsEnv({
        ...deployedAgentSettings,
        "agent.sdlProfile": "relay",
        "agent.relayDomain": "127.0.0.1",
        // The parent keeps its lease from this process (its instance is not activated): the test kills it.
        "agent.handover": "off",
        // Never the default 8080: other test files run agents beside this one.
        "http.port": 0,
        "heartbeat.intervalMs": 1_000,
        "reproduction.enabled": true,
        "reproduction.maxChildren": 1,
        // Redundancy fires at once: the family (the parent alone) has fewer than 2 agents.
        "reproduction.triggers": '["redundancy"]',
        "reproduction.minAgents": 2,
        "reproduction.childBudgetUact": "10000000",
        "reproduction.childFeeBudgetUakt": "2000000",
        "intervals.reproductionCheckMs": 2_000,
        "budget.targetUsdPerDay": 1,
        "budget.treasuryMinimumUsd": 0,
        "budget.dailySpendCapUsd": 1_000,
        "log.level": "info",
      }),
    };
    // Every run's log lines, one file for all runs: a timeout shows what the parent last said.
    const logFile = join(tempDir("crash-parent-log-"), "parent.log");
    const start = () => {
      const [node, ...args] = ownCliCommand();
      const log = openSync(logFile, "a");
      const child = spawn(node!, [...args, "run", "--data", dataDir, "--devnet-url", devnet.control], {
        env,
        stdio: ["ignore", "ignore", log],
      });
      closeSync(log);
      running = child;
      return child;
    };
    const lastLogLines = () => {
      try {
        return readFileSync(logFile, "utf8").trim().split("\n").slice(-25).join("\n");
      } catch {
        return "(no log)";
      }
    };
    const waitWithLog = <T>(check: () => Promise<T | undefined>, what: string) =>
      waitFor(check, 240_000, what).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; the parent's last log lines:\n${lastLogLines()}`);
      });
    const kill = async (parent: ChildProcess) => {
      const exited = new Promise((resolve) => parent.once("exit", resolve));
      parent.kill("SIGKILL");
      await exited;
    };
    const registered = (): ChildAgent | undefined => {
      try {
        const store = openAgentStore({ dataDir, readOnly: true });
        try {
          return store.children.all()[0];
        } finally {
          store.close();
        }
      } catch {
        return undefined; // not created yet, or mid-migration
      }
    };
    const endpoints = await resolveDevnetEndpoints(devnet.control);
    const grants = openChildGrantsReader(endpoints, parentKeys.identity.akash);
    const audit = chainAudit(devnet);
    const steps: Array<{ name: string; reached: () => Promise<boolean> }> = [
      { name: "the child registered", reached: async () => registered() !== undefined },
      {
        name: "its grants on chain",
        reached: async () => {
          const child = registered();
          return child !== undefined && (await grants.childGrants(child.addresses.akash!)).deposit !== null;
        },
      },
      {
        name: "its deployment on chain",
        reached: async () => {
          const child = registered();
          return child !== undefined && (await audit.deployments(child.addresses.akash!)).length > 0;
        },
      },
      {
        name: "the child leading itself",
        reached: async () => {
          const child = registered();
          if (!child) return false;
          const store = openAgentStore({ dataDir: join(dataDir, "children", child.id), readOnly: true });
          try {
            return store.leadership.current().state === "handed_over";
          } catch {
            return false;
          } finally {
            store.close();
          }
        },
      },
    ];
    const killedAt: string[] = [];
    for (const step of steps) {
      const parent = start();
      // A step the birth went past while the parent was down counts as reached at once.
      await waitWithLog(async () => ((await step.reached()) ? true : undefined), step.name);
      await kill(parent);
      killedAt.push(step.name);
    }
    expect(killedAt).toHaveLength(4);

    // Started once more, the parent finishes the birth.
    const parent = start();
    const child = await waitWithLog(async () => {
      const found = registered();
      return found?.state === "active" ? found : undefined;
    }, "the child active in the parent's registry");
    await kill(parent);

    const deployments = await audit.deployments(child.addresses.akash!);
    expect(deployments.map((d) => d.dseq)).toEqual([child.dseq]);
    expect(deployments[0]!.state).toBe(DEPLOYMENT_ACTIVE);
    const rpc = await StargateClient.connect(endpoints.rpc);
    try {
      const grantTxs = await rpc.searchTx(
        `message.action='/cosmos.authz.v1beta1.MsgGrant' AND message.sender='${parentKeys.identity.akash}'`,
      );
      expect(grantTxs).toHaveLength(1);
    } finally {
      rpc.disconnect();
    }
    expect(await grants.childGrants(child.addresses.akash!)).toMatchObject({
      deposit: { remainingUact: expect.any(String) },
    });
  }, 1_200_000);
});
