import { describe, expect, it } from "vitest";
import type { AnyActorRef, InspectionEvent } from "xstate";
import { loadConfig } from "../../../src/config/index.js";
import { createMilestoneDetector } from "../../../src/runtime/backup-milestones.js";
import { chooseBackupTarget } from "../../../src/runtime/backup-target.js";
import { thrownBy } from "../../support/thrown-by.js";

const devnet = { gateway: "http://127.0.0.1:1984", relay: "ws://127.0.0.1:7777", faucet: null };

describe("backup settings", () => {
  it("defaults: on, every 6 hours, the network's gateway and relay", () => {
    const config = loadConfig({ env: {} });
    expect(config.backup).toMatchObject({ enabled: true, intervalMinutes: 360, relays: [] });
    expect(chooseBackupTarget(config, devnet)).toEqual({
      target: { gateway: devnet.gateway, relays: [devnet.relay], availableTimeoutMs: 600_000 },
    });
  });

  it("reads relays and the gateway from the environment, and they win over the network's", () => {
    const config = loadConfig({
      env: {
        AGENT_BACKUP_RELAYS: "wss://relay.one.example, wss://relay.two.example",
        AGENT_BACKUP_GATEWAY: "https://gateway.example",
        AGENT_BACKUP_INTERVAL_MINUTES: "30",
      },
    });
    expect(config.backup.intervalMinutes).toBe(30);
    expect(chooseBackupTarget(config, devnet)).toMatchObject({
      target: {
        gateway: "https://gateway.example",
        relays: ["wss://relay.one.example", "wss://relay.two.example"],
      },
    });
  });

  it("refuses bad values naming the setting, its source and what is allowed", () => {
    expect(
      thrownBy(() => loadConfig({ env: { AGENT_BACKUP_RELAYS: "https://not-a-relay.example" } })).message,
    ).toMatch(
      /^invalid config: backup\.relays\.0 = "https:\/\/not-a-relay\.example" \(from AGENT_BACKUP_RELAYS\)/,
    );
    expect(thrownBy(() => loadConfig({ env: { AGENT_BACKUP_INTERVAL_MINUTES: "0" } })).message).toMatch(
      /^invalid config: backup\.intervalMinutes = 0 \(from AGENT_BACKUP_INTERVAL_MINUTES\): must be >= 1/,
    );
    expect(thrownBy(() => loadConfig({ env: { AGENT_BACKUP_GATEWAY: "ftp://x.example" } })).message).toMatch(
      /^invalid config: backup\.gateway = "ftp:\/\/x\.example" \(from AGENT_BACKUP_GATEWAY\)/,
    );
  });

  it("says why backups are off: disabled, no relay on mainnet, a devnet without gateway or relay", () => {
    expect(chooseBackupTarget(loadConfig({ env: { AGENT_BACKUP_ENABLED: "false" } }), devnet)).toEqual({
      off: "backup.enabled is false",
    });
    expect(chooseBackupTarget(loadConfig({ env: { AGENT_NETWORK: "mainnet" } }), null)).toEqual({
      off: "no relay for the backup pointer on mainnet: set backup.relays (AGENT_BACKUP_RELAYS)",
    });
    const devnetConfig = loadConfig({ env: {} });
    expect(chooseBackupTarget(devnetConfig, { ...devnet, gateway: null })).toMatchObject({
      off: expect.stringContaining("--no-arweave"),
    });
    expect(chooseBackupTarget(devnetConfig, { ...devnet, relay: null })).toMatchObject({
      off: expect.stringContaining("--no-nostr"),
    });
  });
});

describe("backup milestones from the agent's inspection stream", () => {
  const root = { id: "agent" } as unknown as AnyActorRef;
  const other = { id: "lease" } as unknown as AnyActorRef;
  const received = (event: Record<string, unknown>, actorRef = root) =>
    ({ type: "@xstate.event", actorRef, event }) as unknown as InspectionEvent;

  it("names the first active lease, a move, a rotated key and a born child; ignores repeats and other actors", () => {
    const detect = createMilestoneDetector(() => root);
    const active = (dseq: string, provider: string) =>
      received({ type: "LEASE.ACTIVE", lease: { dseq, provider } });
    expect(detect(active("10", "akash1a"))).toBe("lease_active");
    expect(detect(active("10", "akash1a"))).toBeNull();
    expect(detect(active("10", "akash1b"))).toBe("migration_done");
    expect(detect(active("22", "akash1b"))).toBe("migration_done");
    expect(detect(received({ type: "KEYS.ROTATED", key: "payment", index: 1 }))).toBe("key_rotated");
    expect(detect(received({ type: "CHILD.ACTIVATED", childId: "c", akash: "akash1c", dseq: "5" }))).toBe(
      "child_born",
    );
    expect(detect(received({ type: "HEALTH.PASSED" }))).toBeNull();
    expect(detect(received({ type: "KEYS.ROTATED" }, other))).toBeNull();
  });
});
