import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { runCli } from "../../support/run-cli.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { bootstrapUntilHandedOver } from "../support/bootstrap-handover.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { hasEvent, publishNote, remoteStatus, settingsEnv } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";
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
  let env: Record<string, string>;
  const settings = {
    ...deployedAgentSettings,
    "agent.sdlProfile": "relay",
    "agent.image": `${IMAGE}:0.1.0`,
    "agent.relayDomain": "127.0.0.1",
    "heartbeat.intervalMs": 1_000,
    "upgrade.monitorMinutes": 0.1,
    "upgrade.rollbackWindowMinutes": 0.25,
    "upgrade.checkIntervalMs": 500,
    "upgrade.failedChecks": 3,
    "log.level": "info",
  };

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 3,
      nostr: true,
      receivers: true,
      ...agentProcessOptions(tempDir("agent-logs-")),
    });
    env = settingsEnv({
      ...settings,
      "alerts.webhooks": JSON.stringify([devnet.receivers!.webhook]),
      "alerts.minSeverity": "high",
    });
  });

  /** The operator's alerts the agent sent so far, by title. */
  const alertTitles = async (): Promise<string[]> => {
    const response = await fetch(`${devnet.control}/received/webhook`);
    return ((await response.json()) as { body: { title: string; resolved?: boolean } }[])
      .filter((message) => !message.body.resolved)
      .map((message) => message.body.title);
  };
  const failImage = async (image: string) => {
    const response = await fetch(`${devnet.control}/images/fail`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ image }),
    });
    expect(response.status).toBe(200);
  };
  const activeDeployments = async () => {
    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    return (await chainAudit(devnet).deployments(keys.identity.akash))
      .filter((d) => d.state === DEPLOYMENT_ACTIVE)
      .map((d) => d.dseq);
  };
  /** Where the agent leads after the first test. */
  let leaderUri = "";
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
      240_000,
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
    leaderUri = availability.lastUri();
    console.info(`longest time without an answer from the relay: ${availability.longestGapMs()} ms`);
    expect(availability.longestGapMs()).toBeLessThan(1_000);
    const status = await remoteStatus(availability.lastUri()!);
    expect(status).toMatchObject({ leadership: { generation: 2, state: "leading" } });
    expect(await hasEvent(`ws://${availability.lastUri()!}`, noteId)).toBe(true);
    expect(status).toMatchObject({ image: `${IMAGE}:0.2.0`, version: { image: `${IMAGE}:0.2.0` } });
  }, 420_000);

  it("rolls back by itself from a tag that fails: one alert, the old deployment still serving", async () => {
    expect(leaderUri, "the first test left a leader").not.toBe("");
    const before = await activeDeployments();
    await failImage(`${IMAGE}:0.3.0`);
    const started = Date.now();
    const upgrade = await runCli(
      ["upgrade", "--url", `http://${leaderUri}`, "--image", `${IMAGE}:0.3.0`, "--wait", "--json"],
      { AGENT_MNEMONIC: mnemonic },
      240_000,
    );
    console.info(
      `upgrade request → rolled_back (canary never ready): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(upgrade.code, upgrade.stderr).toBe(1);
    expect(JSON.parse(upgrade.stdout)).toMatchObject({ to: `${IMAGE}:0.3.0`, state: "rolled_back" });
    expect(await activeDeployments()).toEqual(before);
    expect(await remoteStatus(leaderUri)).toMatchObject({
      state: "active.monitoring",
      leadership: { generation: 2, state: "leading" },
      upgrade: { state: "rolled_back" },
    });
    const titles = await waitFor(async () => {
      const all = await alertTitles();
      return all.includes("Upgrade rolled back") ? all : undefined;
    }, 30_000);
    expect(titles.filter((title) => title === "Upgrade rolled back")).toHaveLength(1);
    expect(titles).not.toContain("Move abandoned");
  }, 300_000);

  it("rolls back a new leader that fails inside the rollback window: the standby leads again", async () => {
    const before = await activeDeployments();
    const started = Date.now();
    const waiting = runCli(
      ["upgrade", "--url", `http://${leaderUri}`, "--image", `${IMAGE}:0.4.0`, "--wait", "--json"],
      { AGENT_MNEMONIC: mnemonic },
      240_000,
    );
    // The new version leads and is ready, within its rollback window: then its image goes bad.
    const nextUri = await waitFor(async () => {
      const old = await remoteStatus(leaderUri).catch(() => undefined);
      const next = (old?.leadership as { leader?: { uri: string } } | undefined)?.leader?.uri;
      if (!next) return undefined;
      const status = await remoteStatus(next).catch(() => undefined);
      if ((status as { upgrade?: { state: string } } | undefined)?.upgrade?.state !== "rollback_window") {
        return undefined;
      }
      const ready = await fetch(`http://${next}/readyz`).catch(() => undefined);
      return ready?.ok ? next : undefined;
    }, 120_000);
    // An event written to the new leader inside the window reaches the standby, which keeps it.
    const windowNote = await publishNote(`ws://${nextUri}`, "inside the rollback window");
    await waitFor(async () => ((await hasEvent(`ws://${leaderUri}`, windowNote)) ? true : undefined), 30_000);
    await failImage(`${IMAGE}:0.4.0`);
    const upgrade = await waiting;
    console.info(
      `upgrade request → rolled_back (new leader failed in its window): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(upgrade.code, upgrade.stderr).toBe(1);
    expect(JSON.parse(upgrade.stdout)).toMatchObject({ to: `${IMAGE}:0.4.0`, state: "rolled_back" });
    // One leader, the old instance one generation up, and the failed deployment closed.
    expect(await activeDeployments()).toEqual(before);
    expect(await remoteStatus(leaderUri)).toMatchObject({
      leadership: { generation: 4, state: "leading" },
      upgrade: { state: "rolled_back" },
    });
    expect(await hasEvent(`ws://${leaderUri}`, windowNote)).toBe(true);
    // Delivered through the outbox, shortly after the state changed.
    const rolledBack = await waitFor(async () => {
      const titles = (await alertTitles()).filter((title) => title === "Upgrade rolled back");
      return titles.length >= 2 ? titles : undefined;
    }, 30_000);
    expect(rolledBack).toHaveLength(2);
  }, 300_000);
});
