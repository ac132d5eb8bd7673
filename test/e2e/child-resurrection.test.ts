import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { ownCliCommand } from "../../src/devnet/agent-entry-point.js";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { readPointer } from "../../src/services/backup/index.js";
import {
  ChildRunFailedError,
  type ChildRunInput,
  RESURRECTION_FILE,
  type RestoredBackup,
  resurrectChild,
  runChildBootstrap,
} from "../../src/services/family/index.js";
import {
  AgentKeys,
  EnvKeystore,
  generateArweaveJwk,
  generateMnemonic,
} from "../../src/services/keys/index.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE, LEASE_ACTIVE } from "../support/chain-audit.js";
import { remoteStatus } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

/** The seq of the last backup a data dir's own backup machine recorded (0: none). */
function lastBackupSeq(dataDir: string): number {
  const store = openAgentStore({ dataDir });
  try {
    const latest = store.snapshots.latest("backup");
    if (!latest) return 0;
    const snapshot = JSON.parse(latest.snapshotJson) as { context?: { last?: { seq?: number } | null } };
    return snapshot.context?.last?.seq ?? 0;
  } finally {
    store.close();
  }
}

/** The seqs of the backups a run logged (`backup N on Arweave …`). */
function loggedBackupSeqs(lines: readonly string[]): number[] {
  return lines.flatMap((line) => {
    let entry: { msg?: unknown; seq?: unknown } | null;
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return [];
    }
    return typeof entry === "object" &&
      entry !== null &&
      typeof entry.msg === "string" &&
      entry.msg.startsWith("backup ") &&
      typeof entry.seq === "number"
      ? [entry.seq]
      : [];
  });
}

/** The record this file prints for the lead's note. */
const figures: Record<string, number> = {};

/**
 * DESIGN §13, life: a child whose provider goes offline (taking its process with it) is brought back on
 * another provider from its latest Arweave backup, by its parent: restore with the child's keys into a
 * fresh data dir, then `run --take-back --until handed-over`. Refused while the child still beats; done
 * once; calling it again only says where the child lives.
 */
describe("a child is resurrected elsewhere from its backup", () => {
  let devnet: DevnetHandle;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  const logDir = mkdtempSync(join(tmpdir(), "resurrection-logs-"));
  if (!process.env.CHILD_LOGS_KEEP) dirs.push(logDir);

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 3,
      nostr: true,
      arweave: { mineIntervalMs: 200 },
      // CHILD_LOGS_KEEP=1: the child instances' logs stay (their path is printed), to see where a run stopped.
      ...agentProcessOptions(logDir),
    });
  }, 60_000);
  afterAll(async () => {
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    console.log(`resurrection figures: ${JSON.stringify(figures)}`);
    if (process.env.CHILD_LOGS_KEEP) console.log(`child instances' logs: ${logDir}`);
  });

  it("restores the child's backup and takes it back on another provider, once", async () => {
    const mnemonic = generateMnemonic();
    const jwk = await generateArweaveJwk();
    const keys = AgentKeys.fromContents(
      await new EnvKeystore({
        env: { AGENT_MNEMONIC: mnemonic.reveal(), AGENT_ARWEAVE_JWK: JSON.stringify(jwk.reveal()) },
      }).load(),
    );
    const owner = keys.identity.akash;
    const parentDir = tempDir("parent-");
    const progress: string[] = [];
    const input = (dataDir: string): ChildRunInput => ({
      cli: ownCliCommand(),
      parentConfig: configSchema.parse({ network: "devnet", devnet: { url: devnet.control } }),
      parent: null,
      childMnemonic: mnemonic,
      childArweaveJwk: jwk,
      child: { index: 0, childId: keys.identity.agentId, akash: owner, npub: keys.identity.npub },
      dataDir,
      avoidProviders: [],
      relays: [devnet.nostr!.relay],
      settings: {
        ...(deployedAgentSettings as Record<string, string | number | boolean>),
        "agent.sdlProfile": "relay",
        "agent.relayDomain": "127.0.0.1",
        "heartbeat.intervalMs": 1_000,
        "backup.availableTimeoutMs": 20_000,
        "log.level": "info",
      },
      onProgress: (line) => {
        progress.push(line);
        if (process.env.CHILD_LOGS_KEEP) appendFileSync(join(logDir, "child-runs.log"), `${line}\n`);
      },
      killAfterMs: 10_000,
    });

    const birthDir = join(parentDir, "children", keys.identity.agentId);
    const born = await runChildBootstrap(input(birthDir));
    // The child's own instance backs up once it leads (a milestone): that is the state to come back
    // from, and any backup after the bootstrap's last one is the instance's.
    // (The bootstrap's own seqs: as its store recorded them, and as its run logged them, since a backup
    // it began may be finished by the instance from the imported store, with a bundle of its own.)
    const bootstrapSeq = Math.max(lastBackupSeq(birthDir), ...loggedBackupSeqs(progress));
    const pointer = await waitFor(
      async () => {
        const found = await readPointer([devnet.nostr!.relay], keys.nostrKey());
        return found && found.pointer.seq > bootstrapSeq ? found : undefined;
      },
      60_000,
      "a backup pointer of the child",
    );
    expect(pointer.pointer.seq).toBeGreaterThan(bootstrapSeq);
    const resurrectionDir = join(parentDir, "children", `${keys.identity.agentId}.resurrection-1`);

    // While the child beats, its parent cannot take it back: refused by the child's own CLI (exit 3).
    const refused = await resurrectChild(input(resurrectionDir)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ChildRunFailedError);
    expect((refused as ChildRunFailedError).childExitCode, (refused as Error).message).toBe(3);
    expect((refused as Error).message).toMatch(/--take-back refused: .*fresh/);
    expect(existsSync(join(resurrectionDir, RESURRECTION_FILE))).toBe(true);

    // Its provider goes offline and takes the child's process with it.
    await devnet.setProviderOnline(born.provider, false);
    const down = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const restored: RestoredBackup[] = [];
    const back = await waitFor(
      () =>
        resurrectChild({ ...input(resurrectionDir), onRestored: (backup) => restored.push(backup) }).catch(
          (error: unknown) => {
            // Still fresh by a heartbeat or two: the parent tries again.
            if (error instanceof ChildRunFailedError && error.childExitCode === 3) return undefined;
            throw error;
          },
        ),
      90_000,
      "the child's resurrection",
    );
    figures.providerDownToResurrectedMs = Math.round(performance.now() - down);
    // The backup was restored by the refused call already: not again.
    expect(restored).toEqual([]);
    expect(back.provider).not.toBe(born.provider);
    expect(back.generation).toBeGreaterThan(born.generation);
    const status = await waitFor(async () => {
      const answer = await remoteStatus(back.uri).catch(() => undefined);
      return answer?.leadership?.state === "leading" && answer.state.startsWith("active")
        ? answer
        : undefined;
    }, 30_000);
    expect(status.leadership?.generation).toBe(back.generation);
    expect(status.provider).toBe(back.provider);

    // Once: a second call says where it lives; the chain shows one active deployment, leased elsewhere.
    expect(await resurrectChild(input(resurrectionDir))).toEqual(back);
    const audit = chainAudit(devnet);
    const active = await waitFor(
      async () => {
        const open = (await audit.deployments(owner)).filter((entry) => entry.state === DEPLOYMENT_ACTIVE);
        return open.length === 1 ? open : undefined;
      },
      30_000,
      "one active deployment",
    );
    expect(active[0]!.dseq).toBe(back.dseq);
    const leases = (await audit.leases(owner)).filter((entry) => entry.state === LEASE_ACTIVE);
    expect(leases.map((entry) => entry.provider)).toEqual([back.provider]);

    for (const line of progress) expect(line).not.toContain(mnemonic.reveal());
  }, 240_000);
});
