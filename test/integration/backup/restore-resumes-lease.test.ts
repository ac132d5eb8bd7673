import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createChainNodeSDK, createStargateClient } from "@akashnetwork/chain-sdk";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { readPointer } from "../../../src/services/backup/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { countOf, OwnerChainReader } from "../../../support/owner-chain-footprint.js";
import { runCli } from "../../../support/run-cli.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import {
  type BackupIdentity,
  backupTargetOf,
  emptyDataDir,
  newBackupIdentity,
} from "../../support/backup-fixtures.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import { createDeployment } from "../../support/devnet-deployment.js";

/** The record this file prints for the lead's note. */
const figures: Record<string, number | string> = {};

describe("an agent on the devnet backs itself up, and comes back from its mnemonic alone on the same lease", () => {
  let devnet: DevnetHandle;
  let identity: BackupIdentity;
  let agent: TestAgent | undefined;
  let dataDir: string;
  let dseq: string;
  let chain: OwnerChainReader;

  beforeAll(async () => {
    devnet = await startTestDevnet({ blockTimeMs: 100, arweave: { mineIntervalMs: 200 }, nostr: true });
    identity = await newBackupIdentity();
    chain = await OwnerChainReader.connect(devnet);
    dataDir = emptyDataDir("agent-live-");
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
    console.log(`backup figures: ${JSON.stringify(figures)}`);
  });

  it("backs up after its lease is active (a milestone), and once more on `backup --json`", async () => {
    agent = await startTestAgent(devnet, {
      mnemonic: identity.mnemonic,
      dataDir,
      keystoreEnv: { AGENT_ARWEAVE_JWK: identity.env.AGENT_ARWEAVE_JWK! },
    });
    const active = await agent.until("active");
    dseq = active.dseq!;
    expect(agent.backups).not.toBeNull();
    const first = await waitFor(
      () => agent!.backups!.actor.getSnapshot().context.last ?? undefined,
      30_000,
      "the lease_active backup",
    );
    expect(first.seq).toBe(1);
    const pointer = await readPointer(backupTargetOf(devnet).relays, identity.keys.nostrKey());
    expect(pointer?.pointer).toMatchObject({ seq: 1, id: first.id, sha256: first.sha256 });

    const made = await runCli(
      ["backup", "--data", dataDir, "--devnet-url", devnet.control, "--json"],
      identity.env,
    );
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    const printed = JSON.parse(made.stdout) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(["id", "seq", "bytes", "sha256"]);
    expect(printed).toMatchObject({ seq: 2 });
    figures.sealedBytes = printed.bytes as number;
    const live = openAgentStore({ dataDir });
    try {
      figures.storeBytes = live.db.serialize().length;
    } finally {
      live.close();
    }
    expect((await readPointer(backupTargetOf(devnet).relays, identity.keys.nostrKey()))?.pointer.id).toBe(
      printed.id,
    );
    await agent.close();
    agent = undefined;
  }, 60_000);

  it("leaves the previous pointer when `backup` is killed between upload and pointer, and finishes that seq next time", async () => {
    const relays = backupTargetOf(devnet).relays;
    const before = await readPointer(relays, identity.keys.nostrKey());
    const killed = await runCli(["backup", "--data", dataDir, "--devnet-url", devnet.control, "--json"], {
      ...identity.env,
      AKASH_AGENT_BACKUP_CRASH_AT: "served",
    });
    expect(killed.signal).toBe("SIGKILL");
    expect((await readPointer(relays, identity.keys.nostrKey()))?.pointer).toEqual(before?.pointer);

    const again = await runCli(
      ["backup", "--data", dataDir, "--devnet-url", devnet.control, "--json"],
      identity.env,
    );
    expect(again.code, again.stderr).toBe(0);
    const printed = JSON.parse(again.stdout) as { id: string; seq: number };
    expect(printed.seq).toBe(before!.pointer.seq + 1);
    expect((await readPointer(relays, identity.keys.nostrKey()))?.pointer).toMatchObject({
      id: printed.id,
      seq: printed.seq,
    });
  }, 60_000);

  it("restores into an emptied data directory from the mnemonic alone, and `run` resumes the same dseq", async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const started = performance.now();
    const restored = await runCli(["restore", "--data", dataDir, "--devnet-url", devnet.control, "--json"], {
      AGENT_MNEMONIC: identity.mnemonic,
    });
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ seq: 3, source: "relay", dseq });
    figures.restoreMs = Math.round(performance.now() - started);

    const resumed = await runCli(
      [
        "run",
        "--data",
        dataDir,
        "--devnet-url",
        devnet.control,
        "--until",
        "active",
        "--json",
        "--log-level",
        "warn",
      ],
      { AGENT_MNEMONIC: identity.mnemonic },
      90_000,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const view = JSON.parse(resumed.stdout) as { state: string; dseq: string };
    expect(view.state).toMatch(/^active/);
    expect(view.dseq).toBe(dseq);
    figures.emptyDirToResumedLeaseMs = Math.round(performance.now() - started);

    const footprint = await chain.footprint(identity.keys.identity.akash);
    expect(countOf(footprint, "createDeployment")).toBe(1);
    expect(footprint.activeDeployments).toEqual([dseq]);
  }, 120_000);

  it("refuses a backup older than what the chain shows, writing nothing", async () => {
    // The agent's account made a deployment the backup never heard of (a later state of the agent).
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(identity.mnemonic, { prefix: "akash" });
    const tx = createStargateClient({
      baseUrl: devnet.rpc,
      signer: wallet,
      stargateOptions: { broadcastPollIntervalMs: 50 },
    });
    const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc }, tx: { signer: tx } });
    await devnet.fund(identity.keys.identity.akash, "5000000", "uact");
    await devnet.fund(identity.keys.identity.akash, "5000000", "uakt");
    const later = await createDeployment(
      { address: identity.keys.identity.akash, mnemonic: identity.mnemonic, wallet, sdk, tx } as never,
      tenantSdl({ image: "nginx:1.27" }),
    );
    const empty = emptyDataDir();
    const refused = await runCli(["restore", "--data", empty, "--devnet-url", devnet.control], {
      AGENT_MNEMONIC: identity.mnemonic,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `backup seq 3 is older than what the agent already did: the chain shows deployment ${later.dseq}`,
    );
    expect(existsSync(join(empty, "agent.db"))).toBe(false);
    expect(readdirSync(empty)).toEqual([]);
  }, 60_000);
});
