import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SWEEP_FEE_RESERVE_UAKT } from "../../src/actors/akash-key-rotation.js";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { latestOwnHeartbeat } from "../../src/runtime/leader-elsewhere.js";
import { callAdmin } from "../../src/server/admin-client.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { bootstrapUntilHandedOver } from "../support/bootstrap-handover.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { hasEvent, publishNote, remoteStatus, settingsEnv } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

const quiet = createLogger({ level: "silent", json: true });

/**
 * Akash key rotation end to end on the devnet (DESIGN §12), the providers running this package's entry
 * point as the agent image: after the handover, the deployed leader is asked (admin, NIP-98) to rotate
 * its Akash key. It funds the next key's account, moves into a deployment that account owns (a
 * self-migration with handover), and the new leader closes the old key's deployment and sweeps the
 * old account into the new one.
 */
describe("Akash key rotation by self-migration", () => {
  let devnet: DevnetHandle;
  let rpc: StargateClient;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const mnemonic = generateMnemonic().reveal();
  const env = settingsEnv({
    ...deployedAgentSettings,
    "agent.sdlProfile": "nostream",
    "agent.relayDomain": "127.0.0.1",
    "heartbeat.intervalMs": 1_000,
    // A grace period of ~2 s between "the next key is ready" and "the next key is primary".
    "keyRotation.graceHours": 0.0005,
    // The instance in the new lease starts a whole agent process: on a loaded machine that takes a while.
    "log.level": "info",
  });

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 3,
      nostr: true,
      ...agentProcessOptions(tempDir("agent-logs-")),
    });
    rpc = await StargateClient.connect(devnet.rpc);
  });
  afterAll(async () => {
    rpc?.disconnect();
    await devnet?.stop();
    if (!process.env.KEEP_AGENT_LOGS) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("moves into a deployment of the next key, closes the old one and sweeps the old account", async () => {
    const { handover } = await bootstrapUntilHandedOver({
      devnetControl: devnet.control,
      dataDir: tempDir("bootstrap-"),
      mnemonic,
      settings: env,
    });

    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    const oldOwner = keys.akashKey(0).address;
    const newOwner = keys.akashKey(1).address;
    const audit = chainAudit(devnet);
    const balance = async (address: string, denom: string) =>
      BigInt((await rpc.getBalance(address, denom)).amount);
    const noteId = await publishNote(`ws://${handover.leader.uri}`, "before the key rotation");
    const answer = await callAdmin({
      url: `http://${handover.leader.uri}`,
      action: "rotate-keys",
      body: { key: "akash" },
      privateKey: keys.nostrKey().privateKey,
    });
    expect(answer).toEqual({ status: 200, json: { ok: true, action: "rotate-keys", key: "akash" } });
    // The agent now lives in a deployment of the next key, and the old key holds none.
    const moved = await waitFor(async () => {
      const active = (await audit.deployments(newOwner)).filter((d) => d.state === DEPLOYMENT_ACTIVE);
      const old = (await audit.deployments(oldOwner)).filter((d) => d.state === DEPLOYMENT_ACTIVE);
      return active.length === 1 && old.length === 0 ? active[0] : undefined;
    }, 150_000);
    const lease = (await audit.leases(newOwner)).find(
      (entry) => entry.dseq === moved.dseq && entry.state === 1,
    );
    expect(lease?.provider).toMatch(/^akash1/);
    // Generation 2 leads from there, as its heartbeat tells clients.
    const newLeader = await waitFor(async () => {
      const heartbeat = await latestOwnHeartbeat([devnet.nostr!.relay], keys.identity.nostrPubkey, quiet);
      if (heartbeat?.generation !== 2 || !heartbeat.relayUri) return undefined;
      const uri = heartbeat.relayUri.replace(/^wss?:\/\//, "");
      const status = await remoteStatus(uri).catch(() => undefined);
      return status?.leadership?.state === "leading" ? { uri, status } : undefined;
    }, 30_000);
    expect(newLeader.status.dseq).toBe(moved.dseq);
    // The old account is swept: its ACT refund burnt back to AKT and sent on, only the sweep's fee
    // reserve (less the fee) left behind.
    const swept = await waitFor(async () => {
      const [uakt, uact] = await Promise.all([balance(oldOwner, "uakt"), balance(oldOwner, "uact")]);
      return uakt <= SWEEP_FEE_RESERVE_UAKT && uact === 0n ? { uakt, uact } : undefined;
    }, 90_000);
    expect(swept.uact).toBe(0n);
    expect(await balance(newOwner, "uakt")).toBeGreaterThan(0n);

    // The relay's events came along.
    expect(await hasEvent(`ws://${newLeader.uri}`, noteId)).toBe(true);
    audit.close();
  }, 420_000);
});
