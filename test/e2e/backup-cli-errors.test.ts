import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateMnemonic } from "../../src/services/keys/index.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { runCli } from "../../support/run-cli.js";

const mnemonic = generateMnemonic().reveal();

function dataDirWithStore(): string {
  const dir = mkdtempSync(join(tmpdir(), "backup-cli-"));
  openAgentStore({ dataDir: dir }).close();
  return dir;
}

describe("backup and restore commands refuse what they cannot do, with a one-line error and exit code 2", () => {
  it("backup: without agent state, and without an Arweave wallet to sign with", async () => {
    const empty = mkdtempSync(join(tmpdir(), "backup-cli-"));
    const noState = await runCli(["backup", "--data", empty], { AGENT_MNEMONIC: mnemonic });
    expect(noState.code).toBe(2);
    expect(noState.stderr).toBe(
      `akash-agent: no agent state in ${empty}: point --data at the directory the agent ran with\n`,
    );

    const noWallet = await runCli(["backup", "--data", dataDirWithStore()], { AGENT_MNEMONIC: mnemonic });
    expect(noWallet.code).toBe(2);
    expect(noWallet.stderr).toMatch(
      /the keystore has no Arweave wallet to sign the backup: .*AGENT_ARWEAVE_JWK/,
    );
    expect(noWallet.stderr).not.toContain(mnemonic);
  });

  it("restore: into a data directory that already holds agent state, and on the devnet without --devnet-url", async () => {
    const noUrl = await runCli(["restore", "--data", mkdtempSync(join(tmpdir(), "backup-cli-"))], {
      AGENT_MNEMONIC: mnemonic,
    });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/on the devnet, pass --devnet-url/);

    const mainnet = await runCli(["restore", "--network", "mainnet", "--data", dataDirWithStore()], {
      AGENT_MNEMONIC: mnemonic,
    });
    expect(mainnet.code).toBe(2);
    expect(mainnet.stderr).toMatch(/no relay for the backup pointer on mainnet: set backup\.relays/);

    const occupied = dataDirWithStore();
    const taken = await runCli(["restore", "--network", "mainnet", "--data", occupied], {
      AGENT_MNEMONIC: mnemonic,
      AGENT_BACKUP_RELAYS: "ws://127.0.0.1:9",
      AGENT_BACKUP_GATEWAY: "http://127.0.0.1:9",
    });
    expect(taken.stderr).toBe(
      `akash-agent: ${join(occupied, "agent.db")} already holds agent state: restore writes only into a data directory without one (move it aside first)\n`,
    );
    expect(taken.code).toBe(2);
  });
});
