import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSdlFactory } from "../../../src/actors/sdl-factory.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { AgentKeys, EnvKeystore } from "../../../src/services/keys/index.js";
import { startTestAgent } from "../../support/agent-harness.js";
import { startTestDevnet } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";

/**
 * A whole run at the most verbose log level, then a search of everything the agent wrote — every
 * log line, every file in its data directory (the SQLite database with its snapshots, journal,
 * intents and signed transactions, alerts) — for its secrets: none may appear.
 */
describe("the agent keeps its secrets", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  it("out of its logs and every file it writes, through deploy, top-up and termination", async () => {
    const lines: string[] = [];
    const logs = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const agent = await startTestAgent(devnet, {
      logLevel: "trace",
      logDestination: logs,
      settings: { "escrow.topUpBelowHours": 1, "escrow.topUpToHours": 2 },
    });
    await agent.until("active.monitoring", (view) => (view.escrowRunwayHours ?? 0) >= 1.5);
    agent.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true });
    await agent.runtime.waitForLease((view) => view.state === "terminated");
    await agent.close();

    const keys = AgentKeys.fromContents(
      await new EnvKeystore({ env: { AGENT_MNEMONIC: agent.mnemonic } }).load(),
    );
    const sdl = createSdlFactory({
      keys,
      identity: {
        agentId: keys.identity.agentId,
        akashAddress: keys.identity.akash,
        nostrPubkey: keys.identity.nostrPubkey,
        relayName: "relay",
        relayDomain: "relay.example.com",
        network: "devnet",
        chainId: devnet.chainId,
        role: "root",
      },
      image: "ghcr.io/akash-agent/agent-relay:0.1.0",
      budget: { targetUsdPerDay: 5, actUsd: 1 },
    });
    const postgresPassword = /POSTGRES_PASSWORD=([^\s"]+)/.exec(
      sdl.deployable({ cpuUnits: 2, memoryGi: 4, storageGi: 100 }, "1").yamlWithSecrets(),
    )?.[1];
    expect(postgresPassword).toBeDefined();
    const secrets = {
      mnemonic: agent.mnemonic,
      "first words of the mnemonic": agent.mnemonic.split(" ").slice(0, 4).join(" "),
      "Akash private key": Buffer.from(keys.akashKey().privateKey.reveal()).toString("hex"),
      "EVM private key": keys.evmKey().privateKey.reveal().slice(2),
      nsec: keys.nostrKey().nsec.reveal(),
      "postgres password": postgresPassword!,
    };

    const written = readdirSync(agent.dataDir).map((name) => ({
      name,
      text: readFileSync(join(agent.dataDir, name)).toString("latin1"),
    }));
    expect(written.map((file) => file.name)).toContain("agent.db");
    expect(lines.length).toBeGreaterThan(50);
    const log = lines.join("");
    // A control: the search does find what the agent writes (its public address is everywhere).
    expect(log).toContain(keys.identity.akash);
    expect(written.some((file) => file.text.includes(keys.identity.agentId))).toBe(true);
    for (const [what, secret] of Object.entries(secrets)) {
      expect(log.includes(secret), `${what} in the logs`).toBe(false);
      for (const file of written) expect(file.text.includes(secret), `${what} in ${file.name}`).toBe(false);
    }
  });
});
