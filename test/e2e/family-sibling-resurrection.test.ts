import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownCliCommand } from "../../src/devnet/agent-entry-point.js";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { readPointer } from "../../src/services/backup/index.js";
import { readLatestRoster } from "../../src/services/family/family-roster-relays.js";
import {
  AgentKeys,
  EnvKeystore,
  FileKeystore,
  generateMnemonic,
  secretString,
} from "../../src/services/keys/index.js";
import { type HeartbeatWatch, watchHeartbeats } from "../../src/services/nostr/heartbeat-reader.js";
import type { ChildAgent } from "../../src/services/store/child-repository.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { settingsEnv } from "../support/deployed-agent-probes.js";
import { waitFor } from "../support/devnet.js";
import {
  childKeysOf,
  e2eDirs,
  FAMILY_SILENCE_MS,
  familySettings,
  filesUnder,
  lastBackupSeq,
  linesUnder,
  startFamilyDevnet,
} from "../support/family-e2e.js";

const PASSPHRASE = "sibling e2e keystore passphrase";
const figures: Record<string, number> = {};

/**
 * DESIGN §13, life: "exactly one member acts (the parent; if the parent is gone, the eldest live
 * sibling)". A parent (a real `akash-agent run` process) has two children; it is SIGKILLed and its
 * heartbeats stop; then child B's provider goes offline. Child A, the eldest live member, resurrects
 * B from its Arweave backup on another provider, once: one active deployment for B, and it beats again.
 */
describe("the eldest live sibling resurrects a silent sibling when the parent is gone", () => {
  let devnet: DevnetHandle;
  let parentProcess: ChildProcess | null = null;
  const dirs = e2eDirs();
  const logDir = dirs.make("sibling-logs-");

  beforeAll(async () => {
    devnet = await startFamilyDevnet({ providers: 5, logDir });
  }, 120_000);

  afterAll(async () => {
    parentProcess?.kill("SIGKILL");
    await devnet?.stop();
    dirs.cleanUp();
    console.log(`sibling resurrection figures: ${JSON.stringify(figures)}`);
  });

  it("child A resurrects child B once, elsewhere, from its backup", async () => {
    const mnemonic = generateMnemonic().reveal();
    const dataDir = dirs.make("sibling-parent-");
    // The children's Arweave wallets are kept in the parent's keystore: it must be a file that saves.
    const keystore = new FileKeystore({
      path: join(dataDir, "keystore.json"),
      passphrase: secretString(PASSPHRASE),
      scrypt: { N: 2 ** 10, r: 8, p: 1 },
    });
    await keystore.save(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    const parentKeys = AgentKeys.fromContents(await keystore.load());
    const { AGENT_MNEMONIC: _none, ...inherited } = process.env;
    const env = {
      ...inherited,
      AGENT_PASSPHRASE: PASSPHRASE,
      ...settingsEnv({
        ...deployedAgentSettings,
        ...familySettings,
        // The parent keeps its lease from this process: killing the process silences the parent.
        "agent.handover": "off",
        "http.port": 0,
        "reproduction.maxChildren": 2,
        // Redundancy fires until the family (parent and children) counts three.
        "reproduction.triggers": '["redundancy"]',
        "reproduction.minAgents": 3,
        "intervals.reproductionCheckMs": 2_000,
        "budget.childAllocationCapUsd": 100,
        "log.level": "info",
      }),
    };
    const [node, ...args] = ownCliCommand();
    const started = performance.now();
    // The parent's own log, apart from the children's (KEEP_TEST_DIRS keeps it).
    const parentLog = openSync(join(dirs.make("sibling-parent-log-"), "parent.log"), "a");
    parentProcess = spawn(node!, [...args, "run", "--data", dataDir, "--devnet-url", devnet.control], {
      env,
      stdio: ["ignore", parentLog, parentLog],
    });
    closeSync(parentLog);
    const registry = (): ChildAgent[] => {
      try {
        const store = openAgentStore({ dataDir, readOnly: true });
        try {
          return store.children.all();
        } finally {
          store.close();
        }
      } catch {
        return [];
      }
    };
    const born = await waitFor(
      async () => {
        const active = registry().filter((child) => child.state === "active");
        return active.length === 2 ? active.sort((a, b) => a.index! - b.index!) : undefined;
      },
      480_000,
      "two children active",
    );
    figures.twoChildrenActiveMs = Math.round(performance.now() - started);
    const [a, b] = born as [ChildAgent, ChildAgent];
    const aKeys = await childKeysOf(parentKeys.mnemonic(), a.index!);
    const bKeys = await childKeysOf(parentKeys.mnemonic(), b.index!);
    const relays = [devnet.nostr!.relay];

    // A holds the roster naming both, with B's secrets; B's own instance has backed itself up.
    await waitFor(
      async () => {
        const copy = await readLatestRoster(relays, {
          parentPubkey: parentKeys.identity.nostrPubkey,
          ownPubkey: aKeys.identity.nostrPubkey,
          ownPrivateKey: aKeys.nostrKey().privateKey,
          ownAgentId: aKeys.identity.agentId,
        });
        return copy?.secrets.has(b.id) && copy.roster.members.length === 2 ? true : undefined;
      },
      60_000,
      "the roster for A naming B",
    );
    const bootstrapSeq = lastBackupSeq(join(dataDir, "children", b.id));
    await waitFor(
      async () => {
        const found = await readPointer(relays, bKeys.nostrKey());
        return found && found.pointer.seq > bootstrapSeq ? found : undefined;
      },
      90_000,
      "a backup of B's own instance",
    );

    figures.rosterAndBackupMs = Math.round(performance.now() - started) - figures.twoChildrenActiveMs;

    // The parent dies: its heartbeats stop.
    const killed = new Promise((resolve) => parentProcess!.once("exit", resolve));
    parentProcess.kill("SIGKILL");
    await killed;
    parentProcess = null;

    // B's provider goes offline and takes B's process with it.
    const audit = chainAudit(devnet);
    const leaseKey = (lease: { dseq: string; oseq: number; provider: string }) =>
      `${lease.dseq}/${lease.oseq}/${lease.provider}`;
    const before = (await audit.deployments(b.addresses.akash!)).map((d) => d.dseq);
    const leasesBefore = new Set((await audit.leases(b.addresses.akash!)).map(leaseKey));
    await devnet.setProviderOnline(b.provider!, false);
    const down = performance.now();
    const downAt = Date.now();
    const back = await waitFor(
      async () => {
        const leases = (await audit.leases(b.addresses.akash!)).filter(
          (lease) => lease.state === 1 && lease.provider !== b.provider,
        );
        return leases[0];
      },
      300_000,
      "B leased again elsewhere",
    ).catch((error: unknown) => {
      // What the children's instances said about their siblings, for the failure's message.
      const said = linesUnder(logDir, /sibling|Sibling|take-back|refused|rests on/).filter(
        (line) => !line.includes("→"),
      );
      throw new Error(`${(error as Error).message}\n${said.join("\n")}`);
    });
    figures.providerDownToLeasedElsewhereMs = Math.round(performance.now() - down);
    // B's last heartbeat was at most a heartbeat interval before its provider went down.
    figures.silentToLeasedElsewhereMs = figures.providerDownToLeasedElsewhereMs - FAMILY_SILENCE_MS;
    expect([a.provider, b.provider]).not.toContain(back.provider);

    // B beats again, from its new place.
    let watch: HeartbeatWatch | undefined;
    const heard = await new Promise<{ generation: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no heartbeat from the resurrected B")), 120_000);
      watchHeartbeats({
        relay: relays[0]!,
        pubkeys: [bKeys.identity.nostrPubkey],
        onHeartbeat: (heartbeat) => {
          if (Date.parse(heartbeat.at) > downAt && heartbeat.provider === back.provider) {
            clearTimeout(timer);
            resolve(heartbeat);
          }
        },
      }).then((opened) => {
        watch = opened;
      }, reject);
    }).finally(() => watch?.close());
    figures.providerDownToHeartbeatMs = Math.round(performance.now() - down);
    expect(heard.generation).toBeGreaterThan(1);

    // Once: B's only active lease and deployment are the new ones (in its old deployment, whose order
    // reopened, or a new one); a lease that failed under load and was retried is closed.
    const leases = await audit.leases(b.addresses.akash!);
    const newLeases = leases.filter((lease) => !leasesBefore.has(leaseKey(lease)));
    figures.newLeasesOfB = newLeases.length;
    expect(newLeases.map(leaseKey)).toContain(leaseKey(back));
    expect(leases.filter((lease) => lease.state === 1).map(leaseKey)).toEqual([leaseKey(back)]);
    const after = await audit.deployments(b.addresses.akash!);
    expect(after.filter((d) => !before.includes(d.dseq) && d.dseq !== back.dseq)).toEqual([]);
    expect(after.filter((d) => d.state === DEPLOYMENT_ACTIVE).map((d) => d.dseq)).toEqual([back.dseq]);

    // The children's own logs (A's instance ran the resurrection) hold none of the secrets it used.
    // B beats once its new instance leads, a moment before A's run of its take-back returns.
    const resurrected = "sibling resurrected from its backup";
    await waitFor(
      async () =>
        filesUnder(logDir).some((file) => readFileSync(file, "utf8").includes(resurrected))
          ? true
          : undefined,
      60_000,
      "A's resurrection of B done",
    );
    const logFiles = filesUnder(logDir);
    const logs = logFiles.map((file) => readFileSync(file, "utf8"));
    // A's own instance (its log is named by its account) is the one that acted, and only A.
    const acting = logFiles.filter((_, i) => logs[i]!.includes("resurrecting a silent sibling"));
    expect(acting.map((file) => file.split("/").at(-1)!.split("-")[0])).toEqual([a.addresses.akash]);
    const resurrections = logs.join("\n").split(resurrected).length - 1;
    expect(resurrections).toBe(1);
    const secrets = [
      bKeys.mnemonic().reveal(),
      aKeys.mnemonic().reveal(),
      parentKeys.mnemonic().reveal(),
      bKeys.mnemonic().reveal().split(" ").slice(0, 4).join(" "),
    ];
    for (const text of logs) for (const secret of secrets) expect(text).not.toContain(secret);
  }, 1_200_000);
});
