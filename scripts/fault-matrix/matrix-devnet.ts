import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OwnerChainReader } from "../../support/owner-chain-footprint.js";
import { startTestDevnet } from "../../test/support/devnet.js";
import type { DevnetPart } from "./fault-types.js";
import type { MatrixEnvironment, MatrixRow } from "./row-runner.js";

export interface MatrixDevnet extends MatrixEnvironment {
  stop(): Promise<void>;
}

/** A devnet with 100 ms blocks and the services the rows need (Cronos, Arweave, relay, receivers). */
export async function startMatrixDevnet(rows: readonly MatrixRow[]): Promise<MatrixDevnet> {
  const needs = new Set<DevnetPart>(rows.flatMap((row) => row.faults.flatMap((fault) => fault.needs ?? [])));
  const devnet = await startTestDevnet({
    blockTimeMs: 100,
    ...(needs.has("cronos") ? { cronos: { bridgeDelayBlocks: 2 } } : {}),
    ...(needs.has("arweave") ? { arweave: { mineIntervalMs: 200 } } : {}),
    ...(needs.has("nostr") || needs.has("arweave") ? { nostr: true } : {}),
    ...(needs.has("receivers") ? { receivers: true } : {}),
  });
  const reader = await OwnerChainReader.connect(devnet);
  return {
    devnet,
    reader,
    workDir: mkdtempSync(join(tmpdir(), "fault-matrix-")),
    async stop() {
      reader.disconnect();
      await devnet.stop();
    },
  };
}
