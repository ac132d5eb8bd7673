/**
 * Backup benchmark on the devnet (arlocal gateway, Nostr relay), through the built CLI as shipped:
 * an agent deploys (`run --until active`), `backup --json` backs it up, the data directory is deleted,
 * then `restore` and `run --until active` bring it back on the same lease. Prints the store's size, the
 * sealed backup's size (compressed and encrypted), and the time from an empty directory to a resumed
 * lease, for each round. Asserts nothing.
 *
 *   npm run build && npx tsx bench/backup-size.ts          (about a minute; BENCH_ROUNDS=3 by default)
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startDevnet } from "../src/devnet/index.js";
import { generateArweaveJwk, generateMnemonic } from "../src/services/keys/index.js";
import { runCli } from "../support/run-cli.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

function must(result: Awaited<ReturnType<typeof runCli>>, what: string): Record<string, unknown> {
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const devnet = await startDevnet({
  blockTimeMs: 100,
  workloadStartDelayMs: 200,
  bmeEpochBlocks: 5,
  cronos: false,
  receivers: false,
  arweave: { mineIntervalMs: 200 },
  nostr: true,
});
const rows: string[] = [];
try {
  for (let round = 1; round <= rounds; round += 1) {
    const mnemonic = generateMnemonic().reveal();
    const jwk = await generateArweaveJwk();
    const env = {
      AGENT_MNEMONIC: mnemonic,
      AGENT_ARWEAVE_JWK: JSON.stringify(jwk.reveal()),
      AGENT_LOG_LEVEL: "warn",
    };
    const dataDir = mkdtempSync(join(tmpdir(), "bench-backup-"));
    const common = ["--data", dataDir, "--devnet-url", devnet.control];
    const deployed = must(
      await runCli(["run", ...common, "--until", "active", "--json"], env, 180_000),
      "run",
    );
    const backup = must(await runCli(["backup", ...common, "--json"], env), "backup");
    const storeBytes = fileBytes(join(dataDir, "agent.db")) + fileBytes(join(dataDir, "agent.db-wal"));

    rmSync(dataDir, { recursive: true, force: true });
    const started = performance.now();
    const restored = must(
      await runCli(["restore", ...common, "--json"], { AGENT_MNEMONIC: mnemonic }),
      "restore",
    );
    const restoredAt = performance.now();
    const resumed = must(
      await runCli(
        ["run", ...common, "--until", "active", "--json"],
        { AGENT_MNEMONIC: mnemonic, AGENT_LOG_LEVEL: "warn" },
        180_000,
      ),
      "resumed run",
    );
    const done = performance.now();
    rows.push(
      [
        round,
        storeBytes,
        backup.bytes,
        `${((Number(backup.bytes) / storeBytes) * 100).toFixed(1)}%`,
        Math.round(restoredAt - started),
        Math.round(done - started),
        resumed.dseq === deployed.dseq && restored.dseq === deployed.dseq ? "same dseq" : "DIFFERENT dseq",
      ]
        .map(String)
        .join("\t"),
    );
    rmSync(dataDir, { recursive: true, force: true });
  }
} finally {
  await devnet.stop();
}
console.log(
  [
    "round",
    "store bytes (db+wal)",
    "backup bytes",
    "ratio",
    "restore ms",
    "empty dir → active ms",
    "lease",
  ].join("\t"),
);
for (const row of rows) console.log(row);
