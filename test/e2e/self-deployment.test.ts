import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { latestOwnHeartbeat } from "../../src/runtime/leader-elsewhere.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { runCli } from "../../support/run-cli.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { bootstrapUntilHandedOver } from "../support/bootstrap-handover.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { hasEvent, publishNote, remoteStatus, settingsEnv } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

const quiet = createLogger({ level: "silent", json: true });

/**
 * DESIGN §12 end to end on the devnet, with the providers running this package's own entry point as the
 * agent image: a bootstrap deploys the agent, activates the instance in its lease and hands over; the
 * deployed agent then keeps its own lease, and moves itself when its provider degrades.
 */
describe("the agent lives on Akash: activation, handover, self-migration", () => {
  let devnet: DevnetHandle;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const mnemonic = generateMnemonic().reveal();
  const env = settingsEnv({
    ...deployedAgentSettings,
    // The seed's three services: the first deposit lasts ~0.67 h at devnet speed, so the bootstrap tops
    // up to 1.01 h before it hands over, and the deployed agent again ~36 s later.
    "agent.sdlProfile": "nostream",
    "escrow.topUpBelowHours": 1,
    "escrow.topUpToHours": 1.01,
    "agent.relayDomain": "127.0.0.1",
    "heartbeat.intervalMs": 1_000,
    "log.level": "info",
  });

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 3,
      nostr: true,
      ...agentProcessOptions(tempDir("agent-logs-")),
    });
  });
  afterAll(async () => {
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("hands over, refuses a second bootstrap, tops up its own escrow and moves itself off a degraded provider", async () => {
    const bootDir = tempDir("bootstrap-");
    // The deployed agent leads generation 1 in its own lease, which it knows as active.
    const { handover, leading } = await bootstrapUntilHandedOver({
      devnetControl: devnet.control,
      dataDir: bootDir,
      mnemonic,
      settings: env,
    });
    expect(handover.leader.provider).toMatch(/^akash1/);
    expect(leading.dseq).toBe(handover.leader.dseq);
    const remote = await runCli(["status", "--remote", handover.leader.uri, "--json"]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toMatchObject({
      dseq: handover.leader.dseq,
      leadership: { generation: 1 },
    });

    // The bootstrap's data directory does not act again; --until handed-over says where the agent is.
    const again = await runCli(
      [
        "run",
        "--network",
        "devnet",
        "--devnet-url",
        devnet.control,
        "--data",
        bootDir,
        "--until",
        "handed-over",
        "--json",
      ],
      { AGENT_MNEMONIC: mnemonic },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(handover);
    const refusedHere = await runCli(
      ["run", "--network", "devnet", "--devnet-url", devnet.control, "--data", bootDir],
      {
        AGENT_MNEMONIC: mnemonic,
      },
    );
    expect(refusedHere.code).toBe(3);

    // A second bootstrap with the same mnemonic and a fresh data directory sees the heartbeats and refuses.
    const second = await runCli(
      [
        "run",
        "--network",
        "devnet",
        "--devnet-url",
        devnet.control,
        "--data",
        tempDir("second-"),
        "--until",
        "active",
      ],
      { AGENT_MNEMONIC: mnemonic, ...env },
    );
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/already leads elsewhere as generation 1/);

    // The deployed agent tops its own escrow up: the chain's deposits grow after the bootstrap left.
    const audit = chainAudit(devnet);
    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    const owner = keys.identity.akash;
    const deploymentNow = async (dseq: string) => {
      const found = (await audit.deployments(owner)).find((entry) => entry.dseq === dseq);
      if (!found) throw new Error(`deployment ${dseq} not on chain`);
      return found;
    };
    const before = await deploymentNow(handover.leader.dseq);
    const toppedUp = await waitFor(async () => {
      const now = await deploymentNow(handover.leader.dseq);
      return BigInt(now.deposited) > BigInt(before.deposited) ? now : undefined;
    }, 90_000);
    expect(toppedUp.state).toBe(DEPLOYMENT_ACTIVE);

    // Self-migration: an event on the leader's relay, then its provider degrades.
    const noteId = await publishNote(`ws://${handover.leader.uri}`, "before the move");
    // The provider degrades: its status API fails, the health monitor calls it degraded, the agent moves.
    devnet.degradeProvider(handover.leader.provider, { mode: "failing" });
    // The new leader (generation 2) runs on another provider and closed the old deployment itself.
    const moved = await waitFor(async () => {
      const active = (await audit.deployments(owner)).filter((d) => d.state === DEPLOYMENT_ACTIVE);
      return active.length === 1 && active[0]!.dseq !== handover.leader.dseq ? active[0] : undefined;
    }, 150_000);
    const lease = (await audit.leases(owner)).find((entry) => entry.dseq === moved.dseq && entry.state === 1);
    expect(lease?.provider).toBeDefined();
    expect(lease?.provider).not.toBe(handover.leader.provider);
    // Where it lives now, as clients learn it: from its heartbeat.
    const newLeader = await waitFor(async () => {
      const heartbeat = await latestOwnHeartbeat([devnet.nostr!.relay], keys.identity.nostrPubkey, quiet);
      if (heartbeat?.generation !== 2 || !heartbeat.relayUri) return undefined;
      const uri = heartbeat.relayUri.replace(/^wss?:\/\//, "");
      const status = await remoteStatus(uri).catch(() => undefined);
      return status?.leadership?.state === "leading" ? { uri, status } : undefined;
    }, 30_000);
    expect(newLeader.status.dseq).toBe(moved.dseq);
    // The relay's events came along.
    expect(await hasEvent(`ws://${newLeader.uri}`, noteId)).toBe(true);
  }, 420_000);
});
