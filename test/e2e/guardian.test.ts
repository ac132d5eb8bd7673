import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { latestOwnHeartbeat } from "../../src/runtime/leader-elsewhere.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { type AgentProcess, spawnAgent } from "../../support/agent-process.js";
import { runCli } from "../../support/run-cli.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { bootstrapUntilHandedOver } from "../support/bootstrap-handover.js";
import { chainAudit, DEPLOYMENT_ACTIVE, LEASE_ACTIVE } from "../support/chain-audit.js";
import { remoteStatus, settingsEnv } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

const quiet = createLogger({ level: "silent", json: true });

/**
 * DESIGN §12, one leader at a time: `--take-back` is refused while the deployed leader's heartbeats are
 * fresh; a guardian (`run --guardian` on the bootstrap's data directory) brings the agent back when its
 * provider goes offline, taking its process with it.
 */
describe("a guardian brings back an agent whose provider was taken offline", () => {
  let devnet: DevnetHandle;
  let guardian: AgentProcess | undefined;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const mnemonic = generateMnemonic().reveal();
  const env = settingsEnv({
    ...deployedAgentSettings,
    "agent.sdlProfile": "relay",
    "agent.relayDomain": "127.0.0.1",
    "heartbeat.intervalMs": 1_000,
    "agent.guardianSilenceMs": 4_000,
    "log.level": "info",
  });

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 3,
      nostr: true,
      ...agentProcessOptions(tempDir("guardian-logs-")),
    });
  });
  afterAll(async () => {
    // GUARDIAN_DEBUG=<file>: the guardian's log lines, to see where a failed run stopped.
    if (process.env.GUARDIAN_DEBUG && guardian) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(process.env.GUARDIAN_DEBUG, guardian.lines.map((l) => JSON.stringify(l)).join("\n"));
    }
    guardian?.signal("SIGKILL");
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses --take-back while the leader beats, then the guardian redeploys it elsewhere as a later generation", async () => {
    const bootDir = tempDir("guardian-boot-");
    const { handover } = await bootstrapUntilHandedOver({
      devnetControl: devnet.control,
      dataDir: bootDir,
      mnemonic,
      settings: env,
    });
    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    await waitFor(async () => {
      const heartbeat = await latestOwnHeartbeat([devnet.nostr!.relay], keys.identity.nostrPubkey, quiet);
      return heartbeat?.generation === 1 ? heartbeat : undefined;
    }, 20_000);

    // Taking it back while the leader's heartbeats are fresh is refused, in one line, with exit code 3.
    const refused = await runCli(
      ["run", "--network", "devnet", "--devnet-url", devnet.control, "--data", bootDir, "--take-back"],
      { AGENT_MNEMONIC: mnemonic, ...env },
    );
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(
      /--take-back refused: the agent's heartbeat of generation 1 is fresh \(\d+ s ago/,
    );

    // The guardian watches from the bootstrap's data directory, and does nothing while the leader beats.
    guardian = spawnAgent({
      devnetUrl: devnet.control,
      dataDir: bootDir,
      mnemonic,
      settings: env,
      extraArgs: ["--guardian"],
    });
    const watching = guardian;
    await watching.waitForLine((line) => /^guardian: watching/.test(line.msg ?? ""), "the guardian", 30_000);
    await watching.waitForLine(
      (line) => /heartbeat of generation 1 is fresh/.test(String(line.reason ?? "")),
      "the guardian seeing a fresh heartbeat",
      15_000,
    );

    // The leader's provider dies, and its agent process with it.
    await devnet.setProviderOnline(handover.leader.provider, false);
    const takenBack = await watching.waitForLine(
      (line) => /the guardian took it back as generation 2/.test(line.msg ?? ""),
      "the guardian's take-back",
      30_000,
    );
    expect(takenBack.level).toBeGreaterThanOrEqual(40);

    // It redeploys on another provider and hands over again: generation 3 leads there.
    const audit = chainAudit(devnet);
    const owner = keys.identity.akash;
    const newLeader = await waitFor(
      async () => {
        const heartbeat = await latestOwnHeartbeat([devnet.nostr!.relay], keys.identity.nostrPubkey, quiet);
        if (heartbeat?.generation !== 3 || !heartbeat.relayUri) return undefined;
        const uri = heartbeat.relayUri.replace(/^wss?:\/\//, "");
        const status = await remoteStatus(uri).catch(() => undefined);
        return status?.leadership?.state === "leading" && status.state.startsWith("active")
          ? { uri, status, heartbeat }
          : undefined;
      },
      120_000,
      "generation 3 leading on another provider",
    );
    expect(newLeader.status.leadership?.generation).toBe(3);
    const remote = await runCli(["status", "--remote", newLeader.uri, "--json"]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toMatchObject({ leadership: { generation: 3, state: "leading" } });
    // A new lease elsewhere (the migration may rebid the same deployment or deploy again).
    expect(newLeader.status.provider).not.toBe(handover.leader.provider);
    const active = await waitFor(
      async () => {
        const deployments = (await audit.deployments(owner)).filter((d) => d.state === DEPLOYMENT_ACTIVE);
        return deployments.length === 1 ? deployments : undefined;
      },
      30_000,
      "one active deployment",
    );
    expect(active[0]!.dseq).toBe(newLeader.status.dseq);
    const lease = (await audit.leases(owner)).find(
      (entry) => entry.dseq === newLeader.status.dseq && entry.state === LEASE_ACTIVE,
    );
    expect(lease?.provider).toBe(newLeader.status.provider);

    // Back to watching; Ctrl-C stops the guardian and leaves the agent running.
    await watching.waitForLine(
      (line) => /back to watching/.test(line.msg ?? ""),
      "the guardian watching again",
      15_000,
    );
    watching.signal("SIGINT");
    const stopped = await watching.exited;
    expect(stopped.code).toBe(130);
    expect((await remoteStatus(newLeader.uri)).leadership).toEqual({ generation: 3, state: "leading" });
  }, 240_000);
});
