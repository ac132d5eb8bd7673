import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { readPointer } from "../../../src/services/backup/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { type BackupIdentity, backupTargetOf, newBackupIdentity } from "../../support/backup-fixtures.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

describe("the running agent backs up after each milestone", () => {
  let devnet: DevnetHandle;
  let identity: BackupIdentity;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    devnet = await startTestDevnet({ blockTimeMs: 100, arweave: { mineIntervalMs: 200 }, nostr: true });
    identity = await newBackupIdentity();
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("backs up when the lease is first active, and again when it moved to another provider", async () => {
    agent = await startTestAgent(devnet, {
      mnemonic: identity.mnemonic,
      keystoreEnv: { AGENT_ARWEAVE_JWK: identity.env.AGENT_ARWEAVE_JWK! },
      // No scheduled backup during the test: only milestones make them.
      settings: { "backup.intervalMinutes": 10_080 },
    });
    const backups = agent.backups!.actor;
    const first = await agent.until("active");
    const afterActive = await waitFor(
      () => backups.getSnapshot().context.last ?? undefined,
      30_000,
      "a backup",
    );
    expect(afterActive.seq).toBe(1);
    expect(backups.getSnapshot().context.reason).toBe("lease_active");

    await devnet.setProviderOnline(first.provider!, false);
    const moved = await agent.until("active", (view) => view.provider !== first.provider);
    expect(moved.dseq).toBe(first.dseq);
    const afterMove = await waitFor(
      () => {
        const { last, reason } = backups.getSnapshot().context;
        return last && last.seq > 1 && reason === "migration_done" ? last : undefined;
      },
      30_000,
      "the migration_done backup",
    );
    expect(afterMove.seq).toBe(2);
    const pointer = await readPointer(backupTargetOf(devnet).relays, identity.keys.nostrKey());
    expect(pointer?.pointer).toMatchObject({ seq: 2, id: afterMove.id });
    await devnet.setProviderOnline(first.provider!, true);
  }, 90_000);
});
