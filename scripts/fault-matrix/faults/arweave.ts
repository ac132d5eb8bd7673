import { type BackupIdentity, newBackupIdentity } from "../../../test/support/backup-fixtures.js";
import { waitFor } from "../../../test/support/devnet.js";
import type { Fault, RowContext } from "../fault-types.js";
import { SETTLE_TIMEOUT_MS, servingAgainSince } from "../row-waits.js";

/** The row's identity: its mnemonic and the Arweave wallet the backups are paid from. */
let identity: BackupIdentity | null = null;

function backupsOf(context: RowContext) {
  const backups = context.agent().backups;
  if (!backups) throw new Error("the agent runs no backups (no Arweave wallet?)");
  return backups.actor;
}

function arweaveOf(context: RowContext) {
  const control = context.devnet.arweaveControl;
  if (!control) throw new Error("the devnet runs no Arweave gateway");
  return control;
}

/** The Arweave gateway answers 502 to everything when a backup is due. */
export const arweaveDown: Fault = {
  id: "arweave-down",
  name: "Arweave gateway down",
  where: "devnet Arweave gateway: every request 502 (setGatewayDown error), then a backup asked for",
  policy: "backup retried with backoff until the gateway answers; the lease is untouched",
  expect: "ride-out",
  phase: "while-active",
  needs: ["arweave", "nostr"],
  settings: { "backup.intervalMinutes": 10_080, "backup.availableTimeoutMs": 20_000 },
  async mnemonic() {
    identity = await newBackupIdentity();
    return identity.mnemonic;
  },
  async keystoreEnv() {
    if (!identity) throw new Error("the backup identity is made with the mnemonic");
    return { AGENT_ARWEAVE_JWK: identity.env.AGENT_ARWEAVE_JWK! };
  },
  async inject(context) {
    const backups = backupsOf(context);
    // The first backup (lease active) finished, so the next one is the one the outage meets.
    await waitFor(
      () => backups.getSnapshot().context.last ?? undefined,
      SETTLE_TIMEOUT_MS,
      "the first backup",
    );
    context.facts.set("seq", String(backups.getSnapshot().context.last?.seq ?? 0));
    await arweaveOf(context).setGatewayDown("error");
    backups.send({ type: "BACKUP.NOW" });
  },
  async clear(context) {
    await arweaveOf(context).setGatewayUp();
  },
  async settle(context) {
    const backups = backupsOf(context);
    const failure = await waitFor(
      () => backups.getSnapshot().context.lastError ?? undefined,
      SETTLE_TIMEOUT_MS,
      "a failed backup",
    );
    const cleared = context.clock.now();
    await this.clear(context);
    const before = Number(context.facts.get("seq") ?? "0");
    const done = await waitFor(
      () => {
        const last = backups.getSnapshot().context.last;
        return last && last.seq > before ? last : undefined;
      },
      SETTLE_TIMEOUT_MS,
      "the backup once the gateway answers",
    );
    const serving = await servingAgainSince(context, cleared);
    return {
      at: Date.now(),
      detail: `backup failed (${failure.message.slice(0, 50)}), then backup ${done.seq} made; ${serving.detail}`,
    };
  },
};
