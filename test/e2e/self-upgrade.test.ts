import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { runCli } from "../../support/run-cli.js";
import { fastAgentSettings } from "../support/agent-harness.js";
import { bootstrapUntilHandedOver } from "../support/bootstrap-handover.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { hasEvent, publishNote, remoteStatus, settingsEnv } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet } from "../support/devnet.js";
import { watchRelayAvailability } from "../support/relay-availability.js";

const IMAGE = "ghcr.io/akash-agent/agent-relay";

/**
 * Issue 18 end to end on the devnet: the deployed agent upgrades itself to another image of its
 * repository (a canary, a handover, a rollback window) and keeps its relay's events, with clients
 * never more than a second without an answer.
 */
describe("self-upgrade: canary, handover, rollback", () => {
  let devnet: DevnetHandle;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const mnemonic = generateMnemonic().reveal();
  const env = settingsEnv({
    ...fastAgentSettings,
    "agent.sdlProfile": "relay",
    "agent.image": `${IMAGE}:0.1.0`,
    "agent.relayDomain": "127.0.0.1",
    "heartbeat.intervalMs": 1_000,
    "upgrade.monitorMinutes": 0.1,
    "upgrade.rollbackWindowMinutes": 0.25,
    "upgrade.checkIntervalMs": 500,
    "upgrade.failedChecks": 3,
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
    if (!process.env.KEEP_TEST_DIRS) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    else console.info(`kept: ${dirs.join(" ")}`);
  });

  it("upgrades to a healthy tag: one leader on the new tag, one deployment, events kept, no downtime", async () => {
    const { handover } = await bootstrapUntilHandedOver({
      devnetControl: devnet.control,
      dataDir: tempDir("bootstrap-"),
      mnemonic,
      settings: env,
    });
    const oldUri = handover.leader.uri;
    const noteId = await publishNote(`ws://${oldUri}`, "before the upgrade");
    const availability = watchRelayAvailability(noteId, [oldUri]);

    const started = Date.now();
    const upgrade = await runCli(
      ["upgrade", "--url", `http://${oldUri}`, "--image", `${IMAGE}:0.2.0`, "--wait", "--json"],
      { AGENT_MNEMONIC: mnemonic },
    );
    const seconds = (Date.now() - started) / 1000;
    expect(upgrade.code, `${upgrade.stderr}\n${upgrade.stdout}`).toBe(0);
    expect(JSON.parse(upgrade.stdout)).toMatchObject({
      from: `${IMAGE}:0.1.0`,
      to: `${IMAGE}:0.2.0`,
      state: "upgraded",
    });
    console.info(`upgrade request → upgraded: ${seconds.toFixed(1)} s`);

    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    const audit = chainAudit(devnet);
    const active = (await audit.deployments(keys.identity.akash)).filter(
      (d) => d.state === DEPLOYMENT_ACTIVE,
    );
    expect(active).toHaveLength(1);
    expect(active[0]!.dseq).not.toBe(handover.leader.dseq);
    const old = await remoteStatus(oldUri).catch(() => null);
    expect(old, "the old deployment is closed, its instance gone").toBeNull();

    await availability.stop();
    console.info(`longest time without an answer from the relay: ${availability.longestGapMs()} ms`);
    expect(availability.longestGapMs()).toBeLessThan(1_000);
    const status = await remoteStatus(availability.lastUri()!);
    expect(status).toMatchObject({ leadership: { generation: 2, state: "leading" } });
    expect(await hasEvent(`ws://${availability.lastUri()!}`, noteId)).toBe(true);
  }, 420_000);
});
