import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { DevnetHandle } from "../src/devnet/index.js";
import { isInState } from "../src/runtime/lease-view.js";
import { generateMnemonic } from "../src/services/keys/index.js";
import { isLeaseStateLine, spawnAgent } from "../support/agent-process.js";
import type { OwnerChainReader } from "../support/owner-chain-footprint.js";
import type { DeployTiming } from "./deploy-timing.js";

/** Tx hashes each deployer had signed after its last timed deploy (a second deploy counts only its own). */
const footprintHashes = new Map<string, string[]>();

/** AKT given to each deployer before its clock starts (the agent's own faucet call then does nothing). */
export const FUNDING_UAKT = 100_000_000n;

/** A fresh deployer account for {@link timeAgentDeploy} (each run's first deploy). */
export function newDeployer(): string {
  return generateMnemonic().reveal();
}

/**
 * Times the agent as shipped (`node dist/main.js run --until active`, default settings) from the
 * moment its process starts to the moment it logs an active lease; its account is funded first so
 * that both sides start from a funded wallet. Its deployment is closed afterwards (the escrow comes
 * back as ACT). `again`: the account already deployed once, so it holds the ACT float the treasury
 * minted ahead of need, and the agent starts from a fresh data directory.
 */
export async function timeAgentDeploy(
  devnet: DevnetHandle,
  reader: OwnerChainReader,
  workDir: string,
  mnemonic: string,
  again = false,
): Promise<DeployTiming> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
  const [account] = await wallet.getAccounts();
  const owner = account!.address;
  // Funded again for a second deploy too: AKT is the start condition of both sides (the first mint
  // spent some), and ACT on hand is what the second deploy is measured with.
  await devnet.fund(owner, FUNDING_UAKT);

  const startHeight = devnet.height();
  const started = performance.now();
  let request: { at: number; height: bigint } | undefined;
  let active: { at: number; height: bigint } | undefined;
  const agent = spawnAgent({
    devnetUrl: devnet.control,
    dataDir: mkdtempSync(join(workDir, "agent-")),
    mnemonic,
    until: "active",
  });
  agent.onLine((line) => {
    if (!isLeaseStateLine(line)) return;
    const mark = { at: performance.now(), height: devnet.height() };
    if (request === undefined && isInState(line.state, "generating_sdl")) request = mark;
    if (active === undefined && isInState(line.state, "active")) active = mark;
  });
  const exit = await agent.exitWithin(300_000);
  // BENCH_AGENT_LOG=DIR keeps each agent's log lines (JSON) there, to see where its blocks went.
  const logDir = process.env.BENCH_AGENT_LOG;
  if (logDir) {
    writeFileSync(
      join(logDir, `agent-${owner.slice(-6)}-${again ? "again" : "first"}.jsonl`),
      agent.lines.map((line) => JSON.stringify(line)).join("\n"),
    );
  }
  try {
    if (exit.code !== 0 || !active || !request) {
      throw new Error(
        `the agent did not reach active: exit ${exit.signal ?? exit.code} ${exit.otherStderr.join(" ")} (last state ${agent.leaseStates().at(-1) ?? "none"})`,
      );
    }
    const footprint = await reader.footprint(owner);
    const before = again ? new Set(footprintHashes.get(owner) ?? []) : new Set<string>();
    return {
      wallMs: active.at - started,
      blocks: Number(active.height - startHeight),
      txs: new Set(footprint.messages.map((message) => message.txHash).filter((hash) => !before.has(hash)))
        .size,
      inner: { wallMs: active.at - request.at, blocks: Number(active.height - request.height) },
    };
  } finally {
    await reader.closeAll(mnemonic);
    // The bench's own close txs are not the next deploy's.
    const after = await reader.footprint(owner).catch(() => null);
    if (after)
      footprintHashes.set(
        owner,
        after.messages.map((message) => message.txHash),
      );
  }
}
